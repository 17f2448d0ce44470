/**
 * The HTTP control listener's connection rules with real sockets on loopback (short deadlines so the test is
 * quick; the defaults are Kea's 10 s): a request cut off mid-way gets 408 at the deadline, however slowly its bytes
 * trickle in; a silent connection is closed; at the connection limit the oldest stalled connection makes room for
 * a new one; credentials are checked from the head (401 before a 10 MB body is read, no 100-continue); an
 * oversized body gets 413 even while the client is still sending; persistent and pipelined requests are answered
 * in order.
 */
import assert from "node:assert/strict";
import { HttpControlListener } from "../../mod/control/http_listener.ts";
import { fixedBasicAuth } from "../../mod/control/basic_auth.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function withListener(
  fn: (port: number, l: HttpControlListener, logs: string[]) => Promise<void>,
  opts: { max?: number; auth?: boolean } = {},
) {
  const logs: string[] = [];
  const l = await HttpControlListener.open({
    hostname: "127.0.0.1",
    port: 0,
    maxConnections: opts.max ?? 16,
    maxBytes: 1 << 20,
    auth: opts.auth ? fixedBasicAuth("admin", "pw", "test") : undefined,
    timeouts: { requestTimeoutMs: 400, idleTimeoutMs: 600, writeTimeoutMs: 1000 },
    log: (_level, id, text) => logs.push(`${id} ${text}`),
  }, (text) => Promise.resolve({ result: 0, text: `echo ${JSON.parse(text).command}` }));
  try {
    await fn(l.port, l, logs);
  } finally {
    await l.close();
  }
}

/** Reads until the server closes the connection (or `ms` passes); the text and whether it was closed. */
async function readAll(c: Deno.Conn, ms = 3000): Promise<{ text: string; closed: boolean }> {
  const buf = new Uint8Array(65536);
  let text = "";
  const timer = setTimeout(() => c.close(), ms);
  try {
    while (true) {
      const n = await c.read(buf);
      if (n === null) return { text, closed: true };
      text += dec.decode(buf.subarray(0, n));
    }
  } catch {
    return { text, closed: false };
  } finally {
    clearTimeout(timer);
    try {
      c.close();
    } catch { /* closed */ }
  }
}

const connect = (port: number) => Deno.connect({ hostname: "127.0.0.1", port });
const post = (cmd: string, extra = "") => {
  const body = JSON.stringify({ command: cmd });
  return `POST / HTTP/1.1\r\nHost: x\r\n${extra}Content-Length: ${body.length}\r\n\r\n${body}`;
};

Deno.test("http conn: a request not complete at the deadline gets 408, even if its bytes trickle in", async () => {
  await withListener(async (port) => {
    const c = await connect(port);
    const t0 = Date.now();
    await c.write(enc.encode("POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"));
    let stop = false;
    const trickle = (async () => {
      while (!stop) {
        await new Promise((r) => setTimeout(r, 50));
        await c.write(enc.encode(" ")).catch(() => stop = true);
      }
    })();
    const r = await readAll(c);
    stop = true;
    await trickle;
    assert.match(r.text, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(r.text, /connection: close/);
    assert.match(r.text, /"result":1/);
    const took = Date.now() - t0;
    assert.ok(took >= 350 && took < 1500, `cut after ${took} ms, deadline 400 ms`);
  });
});

Deno.test("http conn: a silent connection is closed at the deadline without an answer", async () => {
  await withListener(async (port) => {
    const c = await connect(port);
    const t0 = Date.now();
    const r = await readAll(c);
    assert.deepEqual(r, { text: "", closed: true });
    assert.ok(Date.now() - t0 < 1500);
    // and between requests of a persistent connection: answered, then closed after the idle time
    const k = await connect(port);
    await k.write(enc.encode(post("version-get")));
    const kr = await readAll(k);
    assert.match(kr.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal(kr.closed, true);
  });
});

Deno.test("http conn: at the limit the oldest stalled connection makes room; a fresh client is answered", async () => {
  await withListener(async (port, l, logs) => {
    const stalled: Deno.Conn[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await connect(port);
      await c.write(enc.encode("GET / HTTP/1.1\r\n"));
      stalled.push(c);
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(l.table.size <= 4, `table holds ${l.table.size}`);
    assert.ok(l.table.evicted >= 8, `evicted ${l.table.evicted}`);
    const first = await readAll(stalled[0], 500);
    assert.deepEqual(first, { text: "", closed: true }, "the oldest stalled connection was closed");
    const fresh = await connect(port);
    await fresh.write(enc.encode(post("version-get", "Connection: close\r\n")));
    const r = await readAll(fresh);
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*"echo version-get"/);
    assert.ok(logs.some((x) => x.startsWith("HTTP_CONNECTION_LIMIT")), logs.join("\n"));
    for (const c of stalled.slice(1)) c.close();
  }, { max: 4 });
});

Deno.test("http conn: 401 from the head (no 100-continue, body unread); 413 reaches a client still sending", async () => {
  await withListener(async (port) => {
    const c = await connect(port);
    await c.write(enc.encode("POST / HTTP/1.1\r\nContent-Length: 10000000\r\nExpect: 100-continue\r\n\r\n"));
    const r = await readAll(c);
    assert.match(r.text, /^HTTP\/1\.1 401 Unauthorized\r\n/);
    assert.match(r.text, /www-authenticate: Basic realm="test"/);
    assert.doesNotMatch(r.text, /100 Continue/);

    const big = await connect(port);
    const head = "POST / HTTP/1.1\r\nAuthorization: Basic YWRtaW46cHc=\r\nContent-Length: 3000000\r\n\r\n";
    const sending = (async () => {
      await big.write(enc.encode(head));
      const chunk = new Uint8Array(65536).fill(0x20);
      for (let i = 0; i < 45; i++) await big.write(chunk);
    })().catch(() => {});
    const br = await readAll(big);
    await sending;
    assert.match(br.text, /^HTTP\/1\.1 413 Content Too Large\r\n/);
    assert.match(br.text, /request too large: more than 1048576 bytes/);
  }, { auth: true });
});

Deno.test("http conn: persistent and pipelined requests are answered in order on one connection", async () => {
  await withListener(async (port) => {
    const c = await connect(port);
    await c.write(enc.encode(post("one")));
    const buf = new Uint8Array(4096);
    const n = await c.read(buf);
    assert.match(dec.decode(buf.subarray(0, n!)), /^HTTP\/1\.1 200 OK[\s\S]*echo one/);
    await c.write(enc.encode(post("two") + post("three") + post("four", "Connection: close\r\n")));
    const r = await readAll(c);
    const order = [...r.text.matchAll(/echo (\w+)/g)].map((m) => m[1]);
    assert.deepEqual(order, ["two", "three", "four"]);
    assert.equal(r.closed, true);
  });
});
