/**
 * Pipelined lease updates on real loopback sockets: weka's HTTP listener (mod/control/http_conn.ts) handles the
 * requests that arrive together at once and answers them in order with `x-weka-pipelining: 1`; Http1Client
 * (mod/ha/http1_client.ts, http1_pipeline.ts) pipelines only to a server that says so, never to one that does not
 * (Kea 2.2's listeners read one request at a time), sends again what a closed connection left unanswered, and
 * fails a request whose answer does not come in time.
 */
import assert from "node:assert/strict";
import { answer } from "../../mod/control/answer.ts";
import { HttpControlListener } from "../../mod/control/http_listener.ts";
import { Http1Client, MAX_PIPELINED_CONNS } from "../../mod/ha/http1_client.ts";

const enc = new TextEncoder(), dec = new TextDecoder();
const post = (body: string) =>
  `POST / HTTP/1.1\r\nhost: x\r\ncontent-length: ${enc.encode(body).length}\r\n\r\n${body}`;

/** Reads from `conn` until `n` whole HTTP answers (content-length bodies) have arrived; returns them in order. */
async function readAnswers(conn: Deno.Conn, n: number): Promise<{ head: string; body: string }[]> {
  let text = "";
  const buf = new Uint8Array(65536);
  const out: { head: string; body: string }[] = [];
  while (out.length < n) {
    const got = await conn.read(buf);
    if (got === null) throw new Error(`closed after ${out.length} answers`);
    text += dec.decode(buf.subarray(0, got));
    for (;;) {
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) break;
      const head = text.slice(0, end), len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
      if (text.length < end + 4 + len) break;
      out.push({ head, body: text.slice(end + 4, end + 4 + len) });
      text = text.slice(end + 4 + len);
    }
  }
  return out;
}

Deno.test("http listener: pipelined requests are handled at once and answered in order, with x-weka-pipelining", async () => {
  const n = 5;
  const arrived: string[] = [];
  const all = Promise.withResolvers<void>();
  // each answer waits until every request has reached the handler: handled one at a time, this would hang
  const listener = await HttpControlListener.open({ hostname: "127.0.0.1", port: 0 }, async (text) => {
    const id = (JSON.parse(text) as { arguments: { id: string } }).arguments.id;
    arrived.push(id);
    if (arrived.length === n) all.resolve();
    await all.promise;
    // the last to arrive answers first: the order on the wire must still be the requests' order
    await new Promise((r) => setTimeout(r, (n - Number(id)) * 5));
    return answer(0, `done ${id}`);
  });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: listener.port });
  try {
    const reqs = Array.from({ length: n }, (_, i) => post(JSON.stringify({ command: "x", arguments: { id: `${i}` } })));
    await conn.write(enc.encode(reqs.join(""))); // one write: the requests arrive together
    const answers = await Promise.race([
      readAnswers(conn, n),
      new Promise<never>((_, rej) =>
        setTimeout(() => rej(new Error("pipelined requests were not handled at once")), 3000)
      ),
    ]);
    assert.deepEqual(answers.map((a) => JSON.parse(a.body)[0].text), [
      "done 0",
      "done 1",
      "done 2",
      "done 3",
      "done 4",
    ]);
    for (const a of answers) assert.match(a.head, /^x-weka-pipelining: 1$/m);
    // the connection stays usable for the next request
    await conn.write(enc.encode(post(JSON.stringify({ command: "x", arguments: { id: "9" } }))));
    all.resolve();
    assert.equal(JSON.parse((await readAnswers(conn, 1))[0].body)[0].text, "done 9");
  } finally {
    conn.close();
    await listener.close();
  }
});

/**
 * A hand-written HTTP/1.1 server on loopback: answers each request (echoing its body) after `delayMs`, with
 * `x-weka-pipelining: 1` when `pipelining`; records per connection the most requests outstanding at once.
 */
function rawServer(opts: { pipelining: boolean; delayMs: number; dropConn?: [index: number, after: number] }) {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const stats = { conns: 0, maxOutstanding: 0, requests: 0, maxPerRead: 0, dropped: 0 };
  const serve = async (c: Deno.Conn, index: number) => {
    let text = "", outstanding = 0, seen = 0;
    const buf = new Uint8Array(65536);
    try {
      for (;;) {
        const got = await c.read(buf);
        if (got === null) break;
        text += dec.decode(buf.subarray(0, got));
        let perRead = 0;
        for (;;) {
          const end = text.indexOf("\r\n\r\n");
          if (end < 0) break;
          const len = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
          if (text.length < end + 4 + len) break;
          const body = text.slice(end + 4, end + 4 + len);
          text = text.slice(end + 4 + len);
          perRead++;
          stats.requests++;
          if (index === opts.dropConn?.[0] && ++seen > opts.dropConn[1]) {
            stats.dropped++;
            c.close(); // a restart: the requests on this connection get no answer
            return;
          }
          outstanding++;
          stats.maxOutstanding = Math.max(stats.maxOutstanding, outstanding);
          const extra = opts.pipelining ? "x-weka-pipelining: 1\r\n" : "";
          const reply = `HTTP/1.1 200 OK\r\n${extra}content-length: ${enc.encode(body).length}\r\n\r\n${body}`;
          // answers leave in order: each waits for the delay after the previous one
          await new Promise((r) => setTimeout(r, opts.delayMs));
          await c.write(enc.encode(reply));
          outstanding--;
        }
        stats.maxPerRead = Math.max(stats.maxPerRead, perRead);
      }
    } catch { /* closed */ }
    c.close();
  };
  (async () => {
    try {
      for await (const c of l) serve(c, stats.conns++);
    } catch { /* closed */ }
  })();
  return { url: `http://127.0.0.1:${(l.addr as Deno.NetAddr).port}/`, stats, close: () => l.close() };
}

Deno.test("Http1Client pipelines to a server that says so: many requests per connection, each answer its own", async () => {
  const s = rawServer({ pipelining: true, delayMs: 1 });
  const c = new Http1Client(s.url);
  try {
    assert.equal((await c.post('{"n":-1}', {}, 2000)).body, '{"n":-1}');
    assert.equal(c.pipelining, true);
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => c.post(`{"n":${i}}`, {}, 5000)));
    assert.deepEqual(answers.map((a) => a.body), Array.from({ length: 60 }, (_, i) => `{"n":${i}}`));
    assert.ok(s.stats.conns <= 1 + MAX_PIPELINED_CONNS, `${s.stats.conns} connections`);
    assert.ok(s.stats.maxPerRead > 1, "requests of one turn arrive in one write");
  } finally {
    c.close();
    s.close();
  }
});

Deno.test("Http1Client never pipelines to a server without x-weka-pipelining (Kea 2.2)", async () => {
  const s = rawServer({ pipelining: false, delayMs: 2 });
  const c = new Http1Client(s.url);
  try {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => c.post(`{"n":${i}}`, {}, 5000)));
    assert.deepEqual(answers.map((a) => a.body), Array.from({ length: 30 }, (_, i) => `{"n":${i}}`));
    assert.equal(c.pipelining, false);
    assert.equal(s.stats.maxOutstanding, 1, "one request at a time per connection");
    assert.equal(s.stats.maxPerRead, 1);
  } finally {
    c.close();
    s.close();
  }
});

Deno.test("Http1Client pipelined: what a closed connection left unanswered is sent again; a silent one times out", async () => {
  // connection 0 carries the first request (one at a time), connection 1 the first pipelined ones: it is closed
  // after three requests, unanswered
  const s = rawServer({ pipelining: true, delayMs: 0, dropConn: [1, 3] });
  const c = new Http1Client(s.url);
  try {
    await c.post('{"n":-1}', {}, 2000);
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => c.post(`{"n":${i}}`, {}, 5000)));
    assert.deepEqual(answers.map((a) => a.body), Array.from({ length: 10 }, (_, i) => `{"n":${i}}`));
    assert.equal(s.stats.dropped, 1, "the server dropped the connection with requests on it");
  } finally {
    c.close();
    s.close();
  }
  // a server that takes the requests and never answers: the deadline fails them
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  let first = true;
  (async () => {
    for await (const conn of l) {
      held.push(conn);
      if (!first) continue;
      first = false;
      const buf = new Uint8Array(4096);
      await conn.read(buf);
      await conn.write(enc.encode("HTTP/1.1 200 OK\r\nx-weka-pipelining: 1\r\ncontent-length: 2\r\n\r\n{}"));
    }
  })().catch(() => {});
  const c2 = new Http1Client(`http://127.0.0.1:${(l.addr as Deno.NetAddr).port}/`);
  try {
    await c2.post("{}", {}, 2000);
    assert.equal(c2.pipelining, true);
    const t0 = performance.now();
    await assert.rejects(c2.post("{}", {}, 300), (e: Error) => e.name === "TimeoutError");
    assert.ok(performance.now() - t0 < 2000);
  } finally {
    c2.close();
    l.close();
    for (const h of held) h.close();
  }
});
