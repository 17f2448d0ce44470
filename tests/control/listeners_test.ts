/**
 * The unix and HTTP(S) listeners with real clients: the in-process client, curl (basic auth, TLS with a
 * certificate made here by openssl) and `weka shell`; and bad input: malformed JSON, a 10 MB request, a request cut
 * mid-way, a silent client, wrong credentials — each gets a clear answer and the listener keeps serving.
 */
import assert from "node:assert/strict";
import { ControlListeners } from "../../mod/control/listeners.ts";
import { sendHttp, sendUnix } from "../../mod/control/client.ts";
import { AUTH, http, REPO, run, unix, withListeners } from "./listen_helpers.ts";

Deno.test("unix socket: answers, mode 0750, malformed / cut / oversized / silent requests answered clearly", async () => {
  await withListeners((dir) => [unix(dir)], async (l, dir) => {
    const path = `${dir}/ctrl.sock`;
    assert.deepEqual(l.status(), { status: "ready" });
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o750);
    const good = JSON.parse(await sendUnix(path, '{"command": "version-get"}'));
    assert.equal(good.text, "0.1.0");
    const bad = JSON.parse(await sendUnix(path, '{"command": "version-get",, }'));
    assert.equal(bad.result, 1);
    assert.match(bad.text, /invalid JSON/);
    // cut mid-way: the client closes its sending side before the JSON is complete
    const conn = await Deno.connect({ transport: "unix", path });
    await conn.write(new TextEncoder().encode('{"command": "status-'));
    await conn.closeWrite();
    const cut = JSON.parse(new TextDecoder().decode(await new Response(conn.readable).arrayBuffer()));
    assert.equal(cut.result, 1);
    assert.match(cut.text, /incomplete request/);
    // 10 MB
    const big = `{"command": "config-test", "arguments": {"x": "${"a".repeat(10 << 20)}"}}`;
    const huge = JSON.parse(await sendUnix(path, big).catch((e) => `{"result":-1,"text":"${e.message}"}`));
    assert.equal(huge.result, 1);
    assert.match(huge.text, /request too large/);
    // silent client: the timeout answer (400 ms in this test; Kea's is 10 s)
    const silent = await Deno.connect({ transport: "unix", path });
    await silent.write(new TextEncoder().encode('{"command": '));
    const slow = JSON.parse(new TextDecoder().decode(await new Response(silent.readable).arrayBuffer()));
    assert.equal(slow.text, "Connection over control channel timed out");
    // and still serving
    assert.equal(JSON.parse(await sendUnix(path, '{"command": "list-commands"}')).result, 0);
  }, 400);
});

Deno.test("unix socket: a stale socket file is replaced; a live one is refused", async () => {
  await withListeners((dir) => [unix(dir)], async (_l, dir) => {
    const second = await ControlListeners.start([unix(dir)], { dispatch: () => Promise.reject(), log: () => {} });
    assert.equal(second.status().status, "failed");
    assert.match(second.errors[0], /another process is already listening/);
    await second.close();
  });
  const dir = await Deno.makeTempDir({ prefix: "wkc-" });
  const stale = Deno.listen({ transport: "unix", path: `${dir}/ctrl.sock` });
  stale.close(); // Deno removes nothing: the file stays, nobody listens
  const l = await ControlListeners.start([unix(dir)], {
    dispatch: () => Promise.resolve({ result: 0 }),
    log: () => {},
  });
  assert.deepEqual(l.status(), { status: "ready" });
  await l.close();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("http: list-wrapped answers, 401 with WWW-Authenticate, 413 for 10 MB, 405, /metrics, http-headers", async () => {
  await withListeners(
    (_d, port) => [http(port, { ...AUTH, "http-headers": [{ name: "X-Weka", value: "yes" }] })],
    async (_l, _d, port) => {
      const url = `http://127.0.0.1:${port}/`;
      const ok = await sendHttp(url, '{"command": "version-get"}', { user: "admin", password: "s3cret" });
      assert.equal(ok.status, 200);
      assert.equal(JSON.parse(ok.text)[0].text, "0.1.0");
      const none = await fetch(url, { method: "POST", body: '{"command": "version-get"}' });
      assert.equal(none.status, 401);
      assert.equal(none.headers.get("www-authenticate"), 'Basic realm="weka-test"');
      assert.equal(none.headers.get("x-weka"), "yes");
      assert.deepEqual(await none.json(), { result: 401, text: "Unauthorized" });
      const wrong = await sendHttp(url, '{"command": "version-get"}', { user: "admin", password: "nope" });
      assert.equal(wrong.status, 401);
      const big = await sendHttp(url, "x".repeat(10 << 20), { user: "admin", password: "s3cret" });
      assert.equal(big.status, 413);
      assert.match(JSON.parse(big.text)[0].text, /request too large/);
      const bad = await sendHttp(url, "{nope", { user: "admin", password: "s3cret" });
      assert.equal(JSON.parse(bad.text)[0].result, 1);
      const auth = { authorization: `Basic ${btoa("admin:s3cret")}` };
      const get = await fetch(`${url}nothing-here`, { headers: auth });
      assert.equal(get.status, 405, "GET serves only the status page and /metrics");
      await get.body?.cancel();
      const metrics = await fetch(`${url}metrics`, { headers: auth });
      assert.match(metrics.headers.get("content-type")!, /^text\/plain; version=0.0.4/);
      assert.match(await metrics.text(), /kea_dhcp4_packets_received_total/);
      // a body cut mid-way: declared 1000 bytes, 20 sent, connection closed; the listener keeps serving
      const c = await Deno.connect({ hostname: "127.0.0.1", port });
      await c.write(new TextEncoder().encode(
        `POST / HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ${
          btoa("admin:s3cret")
        }\r\nContent-Length: 1000\r\n\r\n{"command": "versio`,
      ));
      c.close();
      const after = await sendHttp(url, '{"command": "version-get"}', { user: "admin", password: "s3cret" });
      assert.equal(after.status, 200);
    },
  );
});

Deno.test("curl with basic auth, and weka shell, against the HTTP socket", async () => {
  await withListeners((_d, port) => [http(port, AUTH)], async (_l, _d, port) => {
    const c = await run([
      "curl",
      "-s",
      "-u",
      "admin:s3cret",
      "-H",
      "Content-Type: application/json",
      "-d",
      '{"command": "statistic-get", "arguments": {"name": "x"}, "service": ["dhcp4"]}',
      `http://127.0.0.1:${port}/`,
    ]);
    assert.deepEqual(JSON.parse(c.out), [{ result: 0, arguments: {} }]);
    const code = await run([
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-u",
      "admin:bad",
      "-d",
      "{}",
      `http://127.0.0.1:${port}/`,
    ]);
    assert.equal(code.out, "401");
    const sh = await run([
      Deno.execPath(),
      "run",
      "-A",
      `${REPO}main.ts`,
      "shell",
      "--port",
      String(port),
      "--auth-user",
      "admin",
      "--auth-password",
      "s3cret",
      "--service",
      "dhcp4",
      "dhcp-disable",
    ], '"max-period": 5');
    assert.equal(sh.code, 0, sh.err);
    assert.deepEqual(JSON.parse(sh.out), [{ result: 0, text: "DHCPv4 service disabled for 5 seconds" }]);
    const denied = await run([
      Deno.execPath(),
      "run",
      "-A",
      `${REPO}main.ts`,
      "shell",
      "--port",
      String(port),
      "version-get",
    ], "");
    assert.equal(denied.code, 1);
    assert.match(denied.err, /HTTP 401/);
  });
});

Deno.test("weka shell over the unix socket", async () => {
  await withListeners((dir) => [unix(dir)], async (_l, dir) => {
    const sh = await run([
      Deno.execPath(),
      "run",
      "-A",
      `${REPO}main.ts`,
      "shell",
      "--socket",
      `${dir}/ctrl.sock`,
      "statistic-get",
    ], '{"name": "none"}');
    assert.equal(sh.code, 0, sh.err);
    assert.deepEqual(JSON.parse(sh.out), { result: 0, arguments: {} });
  });
});
