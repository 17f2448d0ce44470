/**
 * The mutual-TLS listener's watchdog (mod/control/tls_server_node.ts), on a real node:tls server in a child
 * process limited to 64 descriptors: 150 stalled TCP connections exhaust them (the accept fails with EMFILE,
 * which on Deno 2.9 stops a node:tls server from accepting for good), the flood goes away, and a client with a
 * good certificate is answered again — within a few probe intervals with the watchdog, never without it (the
 * control case shows what the watchdog is for).
 */
import assert from "node:assert/strict";
import { makeTestCerts } from "./cert_helpers.ts";
import { REPO } from "./helpers.ts";

interface Child {
  out: () => string;
  stop(): Promise<void>;
}

function startChild(dir: string, probeMs: number): Child {
  const child = new Deno.Command("prlimit", {
    args: [
      "--nofile=64:64",
      "--",
      Deno.execPath(),
      "run",
      "-A",
      `${REPO}tests/control/tls_watchdog_child.ts`,
      dir,
      String(probeMs),
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let out = "";
  const dec = new TextDecoder();
  const pump = (s: ReadableStream<Uint8Array>) =>
    (async () => {
      for await (const c of s) out += dec.decode(c, { stream: true });
    })();
  const done = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const w = child.stdin.getWriter();
  return {
    out: () => out,
    stop: async () => {
      await w.close().catch(() => {});
      await child.status;
      await done;
    },
  };
}

async function waitFor(c: Child, re: RegExp, ms = 15_000): Promise<RegExpExecArray> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = re.exec(c.out());
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${re} in:\n${c.out()}`);
}

/** One mutual-TLS exchange: the text the server sent, or undefined when nothing came within `ms`. */
async function hello(port: number, dir: string, ms = 1500): Promise<string | undefined> {
  const read = (n: string) => Deno.readTextFileSync(`${dir}/${n}`);
  let conn: Deno.TlsConn | undefined;
  const timer = setTimeout(() => conn?.close(), ms);
  try {
    conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port,
      caCerts: [read("ca.pem")],
      cert: read("cli.pem"),
      key: read("cli.key"),
    });
    const buf = new Uint8Array(64);
    const n = await conn.read(buf);
    return n ? new TextDecoder().decode(buf.subarray(0, n)) : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    try {
      conn?.close();
    } catch { /* closed */ }
  }
}

async function scenario(probeMs: number): Promise<{ answered: boolean; out: string }> {
  const dir = await Deno.makeTempDir({ prefix: "wkc-wd-" });
  const ext = "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n";
  await makeTestCerts(dir, "wkc watchdog CA", { srv: "127.0.0.1", cli: "client" }, ext);
  const c = startChild(dir, probeMs);
  try {
    const port = Number((await waitFor(c, /PORT (\d+)/))[1]);
    await waitFor(c, /READY/);
    if (probeMs < 1000) {
      await new Promise((r) => setTimeout(r, 4 * probeMs)); // a healthy listener passes its probes quietly
      assert.doesNotMatch(c.out(), /HTTP_LISTENER_RESTART|HTTP_TLS_HANDSHAKE_FAILED/, "restart without cause");
    }
    const flood: Deno.Conn[] = [];
    for (let i = 0; i < 150; i++) flood.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    await new Promise((r) => setTimeout(r, 300));
    for (const f of flood) f.close();
    await new Promise((r) => setTimeout(r, 300));
    let answered = false;
    const end = Date.now() + 5000;
    while (Date.now() < end && !answered) answered = (await hello(port, dir)) === "hello\n";
    return { answered, out: c.out() };
  } finally {
    await c.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("mutual-TLS listener: after descriptor exhaustion the watchdog makes it accept again", async () => {
  const r = await scenario(500);
  assert.ok(r.answered, r.out);
  assert.match(r.out, /HTTP_LISTENER_RESTART watchdog test: the TLS listener stopped accepting; listening again/);
});

Deno.test("mutual-TLS listener without the watchdog stays deaf after descriptor exhaustion (why it exists)", async () => {
  const r = await scenario(600_000);
  assert.equal(r.answered, false, r.out);
});
