/**
 * Tests of PeerClient against real HTTP servers on 127.0.0.1: the request it sends (body, content type, basic
 * auth), Kea's list-wrapped answer and a bare map, and every failure turned into one PeerError naming the peer.
 */
import assert from "node:assert/strict";
import { PeerClient, PeerError } from "../../mod/ha/peer_client.ts";
import type { HaPeer } from "../../mod/config/model_ha.ts";
import { makeTestCerts } from "../control/cert_helpers.ts";

type Seen = { body: unknown; type: string | null; auth: string | null };

async function withServer(
  reply: (req: Request) => Response | Promise<Response>,
  fn: (url: string, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const ready = Promise.withResolvers<void>();
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => ready.resolve() },
    async (req) => {
      seen.push({
        body: JSON.parse(await req.text()),
        type: req.headers.get("content-type"),
        auth: req.headers.get("authorization"),
      });
      return reply(req);
    },
  );
  await ready.promise;
  try {
    await fn(`http://127.0.0.1:${server.addr.port}/`, seen);
  } finally {
    ac.abort();
    await server.finished;
  }
}

const peer = (url: string, auth?: { user: string; password: string }): HaPeer => ({
  name: "server2",
  url,
  role: "standby",
  autoFailover: true,
  basicAuth: auth,
});

const json = (v: unknown, status = 200) =>
  new Response(JSON.stringify(v), { status, headers: { "content-type": "application/json" } });

Deno.test("PeerClient posts Kea's request with basic auth and reads a list-wrapped answer", async () => {
  const hb = { state: "hot-standby", "date-time": "Fri, 27 Nov 2026 20:19:07 GMT", scopes: ["server1"] };
  await withServer(() => json([{ result: 0, text: "HA peer status returned.", arguments: hb }]), async (url, seen) => {
    const c = new PeerClient(peer(url, { user: "kea", password: "pässword" }));
    const a = await c.send("ha-heartbeat", { "server-name": "server1" });
    assert.deepEqual(a, { result: 0, text: "HA peer status returned.", arguments: hb });
    assert.deepEqual(seen[0].body, {
      command: "ha-heartbeat",
      service: ["dhcp4"],
      arguments: { "server-name": "server1" },
    });
    assert.equal(seen[0].type, "application/json");
    // base64 of the UTF-8 bytes of "kea:pässword"
    assert.equal(seen[0].auth, "Basic a2VhOnDDpHNzd29yZA==");
  });
});

Deno.test("PeerClient accepts a bare map, sends no arguments or auth when none, and returns error results", async () => {
  await withServer(() => json({ result: 2, text: "'x' command not supported." }), async (url, seen) => {
    const a = await new PeerClient(peer(url)).send("x");
    assert.deepEqual(a, { result: 2, text: "'x' command not supported." });
    assert.deepEqual(seen[0].body, { command: "x", service: ["dhcp4"] });
    assert.equal(seen[0].auth, null);
  });
});

Deno.test("PeerClient: a slow peer becomes a PeerError naming peer and command after the timeout", async () => {
  const gate = Promise.withResolvers<void>();
  await withServer(async () => {
    await gate.promise;
    return json([{ result: 0 }]);
  }, async (url) => {
    const t0 = Date.now();
    const err = await new PeerClient(peer(url), { timeoutMs: 200 }).send("lease4-get-page").catch((e) => e);
    gate.resolve();
    assert.ok(err instanceof PeerError);
    assert.equal(err.peer, "server2");
    assert.equal(err.command, "lease4-get-page");
    assert.match(
      err.message,
      /HA peer 'server2' \(http:\/\/127\.0\.0\.1:\d+\/\) did not answer 'lease4-get-page': no answer within 200 ms/,
    );
    assert.ok(Date.now() - t0 < 5000);
  });
});

Deno.test("PeerClient: HTTP 401, HTTP 500 and unparseable answers become PeerErrors", async () => {
  let mode = 0;
  await withServer(() => {
    if (mode === 0) return json({ result: 401, text: "Unauthorized" }, 401);
    if (mode === 1) return new Response("boom", { status: 500 });
    if (mode === 2) return new Response("<html>not kea</html>", { status: 200 });
    if (mode === 3) return json([{ result: 0 }, { result: 0 }]);
    return json([{ text: "no result" }]);
  }, async (url) => {
    const c = new PeerClient(peer(url, { user: "u", password: "p" }));
    const msgs: string[] = [];
    for (mode = 0; mode < 5; mode++) {
      const e = await c.send("ha-heartbeat").catch((x) => x);
      assert.ok(e instanceof PeerError, `mode ${mode}`);
      msgs.push(e.message);
    }
    assert.match(msgs[0], /HTTP 401.*basic-auth-user.*user 'u' was refused/);
    assert.match(msgs[1], /HTTP 500.*boom/);
    assert.match(msgs[2], /not JSON/);
    assert.match(msgs[3], /list of 2 answers/);
    assert.match(msgs[4], /no integer 'result'/);
  });
});

Deno.test("PeerClient: connection refused becomes a PeerError", async () => {
  // bind and close a port so that nothing listens on it
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const e = await new PeerClient(peer(`http://127.0.0.1:${port}/`)).send("ha-heartbeat").catch((x) => x);
  assert.ok(e instanceof PeerError);
  assert.match(e.message, /HA peer 'server2'.*'ha-heartbeat': communication failed/);
});

/** A test CA in `dir` and a certificate + key signed by it for `srv` and `cli` (IP SAN 127.0.0.1). */
function makeCerts(dir: string): Promise<void> {
  return makeTestCerts(
    dir,
    "wkp CA",
    { srv: "srv", cli: "cli" },
    "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
  );
}

Deno.test("PeerClient speaks HTTPS to a peer with trust-anchor/cert-file/key-file, and refuses an unknown CA", async () => {
  const dir = await Deno.makeTempDir({ prefix: "wkp-tls-" });
  const ac = new AbortController();
  try {
    await makeCerts(dir);
    const ready = Promise.withResolvers<number>();
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(`${dir}/srv.pem`),
      key: await Deno.readTextFile(`${dir}/srv.key`),
      signal: ac.signal,
      onListen: (a) => ready.resolve(a.port),
    }, () => json([{ result: 0, text: "HA peer status returned.", arguments: { state: "ready" } }]));
    const url = `https://127.0.0.1:${await ready.promise}/`;
    const tls = { trustAnchor: `${dir}/ca.pem`, certFile: `${dir}/cli.pem`, keyFile: `${dir}/cli.key` };
    const c = new PeerClient({ ...peer(url), tls });
    try {
      assert.equal((await c.send("ha-heartbeat")).arguments?.state, "ready");
    } finally {
      c.close();
    }
    const e = await new PeerClient(peer(url)).send("ha-heartbeat").catch((x) => x);
    assert.ok(e instanceof PeerError);
    assert.match(e.message, /communication failed/);
    ac.abort();
    await server.finished;
  } finally {
    ac.abort();
    await Deno.remove(dir, { recursive: true });
  }
});
