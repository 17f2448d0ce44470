/**
 * Http1Client (mod/ha/http1_client.ts): the persistent HTTP/1.1 client of the HA lease-update path, against
 * Deno.serve and a hand-written TCP server on loopback.
 */
import assert from "node:assert/strict";
import { Http1Client, MAX_ANSWER_BYTES } from "../../mod/ha/http1_client.ts";

/** Runs `fn` against a Deno.serve on 127.0.0.1:0; records each request's body and client port. */
async function withServe(
  handler: (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response>,
  fn: (url: string) => Promise<void>,
): Promise<void> {
  const ready = Promise.withResolvers<void>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => ready.resolve() }, handler);
  await ready.promise;
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("Http1Client posts the body with its headers and reuses one connection for sequential requests", async () => {
  const seen: { body: string; type: string | null; auth: string | null; port: number }[] = [];
  await withServe(async (req, info) => {
    seen.push({
      body: await req.text(),
      type: req.headers.get("content-type"),
      auth: req.headers.get("authorization"),
      port: info.remoteAddr.port,
    });
    return new Response(JSON.stringify([{ result: 0, text: "ok ü" }]), { status: 200 });
  }, async (url) => {
    const c = new Http1Client(url);
    const h = { "content-type": "application/json", authorization: "Basic dTpw" };
    const a = await c.post('{"command":"lease4-update"}', h, 2000);
    const b = await c.post('{"command":"lease4-del"}', h, 2000);
    c.close();
    assert.deepEqual([a.status, a.body], [200, '[{"result":0,"text":"ok ü"}]']);
    assert.equal(b.status, 200);
    assert.deepEqual(seen.map((s) => s.body), ['{"command":"lease4-update"}', '{"command":"lease4-del"}']);
    assert.equal(seen[0].type, "application/json");
    assert.equal(seen[0].auth, "Basic dTpw");
    assert.equal(seen[0].port, seen[1].port, "the second request went over the kept-alive connection");
  });
});

Deno.test("Http1Client reads a chunked answer and reports status and reason", async () => {
  await withServe(() => {
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('[{"result":'));
        c.enqueue(new TextEncoder().encode("1}]"));
        c.close();
      },
    });
    return new Response(body, { status: 500 });
  }, async (url) => {
    const c = new Http1Client(url);
    const r = await c.post("{}", {}, 2000);
    c.close();
    assert.deepEqual(r, { status: 500, statusText: "Internal Server Error", body: '[{"result":1}]' });
  });
});

Deno.test("Http1Client keeps at most maxConnections open; further requests wait for a free one", async () => {
  let inFlight = 0, most = 0;
  const ports = new Set<number>();
  await withServe(async (req, info) => {
    ports.add(info.remoteAddr.port);
    inFlight++;
    most = Math.max(most, inFlight);
    await req.text();
    await new Promise((r) => setTimeout(r, 20));
    inFlight--;
    return new Response("[]");
  }, async (url) => {
    const c = new Http1Client(url, { maxConnections: 2 });
    const rs = await Promise.all(Array.from({ length: 6 }, (_, i) => c.post(`{"n":${i}}`, {}, 5000)));
    c.close();
    assert.equal(rs.length, 6);
    assert.ok(rs.every((r) => r.status === 200));
    assert.equal(most, 2);
    assert.equal(ports.size, 2);
  });
});

Deno.test("Http1Client sends again on a new connection when the server closed the kept-alive one", async () => {
  // answers one request per connection, then closes it without saying so (no `connection: close`)
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let conns = 0;
  const serving = (async () => {
    for await (const c of l) {
      conns++;
      const buf = new Uint8Array(4096);
      await c.read(buf);
      const body = `[{"result":0,"text":"conn ${conns}"}]`;
      await c.write(new TextEncoder().encode(`HTTP/1.1 200 OK\r\ncontent-length: ${body.length}\r\n\r\n${body}`));
      c.close();
    }
  })();
  const c = new Http1Client(`http://127.0.0.1:${(l.addr as Deno.NetAddr).port}/`);
  const a = await c.post("{}", {}, 2000);
  await new Promise((r) => setTimeout(r, 50)); // the server's close reaches the client
  const b = await c.post("{}", {}, 2000);
  c.close();
  l.close();
  await serving.catch(() => {});
  assert.equal(a.body, '[{"result":0,"text":"conn 1"}]');
  assert.equal(b.body, '[{"result":0,"text":"conn 2"}]');
});

Deno.test("Http1Client gives up after the timeout and refuses a refused connection", async () => {
  const gate = Promise.withResolvers<void>();
  await withServe(async () => {
    await gate.promise;
    return new Response("[]");
  }, async (url) => {
    const c = new Http1Client(url);
    const t0 = Date.now();
    const e = await c.post("{}", {}, 150).catch((x) => x);
    gate.resolve();
    c.close();
    assert.ok(e instanceof Error);
    assert.equal(e.name, "TimeoutError");
    assert.match(e.message, /no answer within 150 ms/);
    assert.ok(Date.now() - t0 < 3000);
  });
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const c = new Http1Client(`http://127.0.0.1:${port}/`);
  const e = await c.post("{}", {}, 1000).catch((x) => x);
  c.close();
  assert.ok(e instanceof Deno.errors.ConnectionRefused);
});

Deno.test("Http1Client refuses an answer larger than MAX_ANSWER_BYTES (declared or chunked) without reading it", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(l.addr as Deno.NetAddr).port}/`;
  const answers = [
    `HTTP/1.1 200 OK\r\ncontent-length: ${MAX_ANSWER_BYTES + 1}\r\n\r\n[`,
    `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${(MAX_ANSWER_BYTES + 1).toString(16)}\r\n[`,
  ];
  const served = (async () => {
    for (const a of answers) {
      const c = await l.accept();
      await c.read(new Uint8Array(4096));
      await c.write(new TextEncoder().encode(a));
      await new Promise((r) => setTimeout(r, 200));
      c.close();
    }
  })();
  try {
    for (let i = 0; i < answers.length; i++) {
      const c = new Http1Client(url);
      await assert.rejects(c.post("{}", {}, 2000), /larger than 67108864 bytes/);
      c.close();
    }
  } finally {
    await served;
    l.close();
  }
});
