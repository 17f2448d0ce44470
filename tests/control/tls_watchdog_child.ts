/**
 * Child process of tls_watchdog_test.ts: a NodeTlsListener (mutual TLS) answering "hello" to every connection,
 * with the watchdog probing every PROBE_MS (argv[1]) and a connection table larger than the process's descriptor
 * limit (the test runs it under prlimit), so that a flood of connections makes its accept fail with EMFILE — which
 * stops a node:tls server's accept loop for good. One mutual-TLS exchange with itself first warms up what Deno
 * loads lazily. Prints PORT n, READY and the listener's log lines. Tests only.
 */
import { ConnTable, RateLimitedLog } from "../../mod/control/conn_guard.ts";
import { NodeTlsListener } from "../../mod/control/tls_server_node.ts";

const [dir, probeMs] = Deno.args;
const read = (n: string) => Deno.readTextFileSync(`${dir}/${n}`);
const l = await NodeTlsListener.open({
  hostname: "127.0.0.1",
  port: 0,
  files: { cert: read("srv.pem"), key: read("srv.key"), ca: [read("ca.pem")] },
  table: new ConnTable(1000),
  log: new RateLimitedLog((level, id, text) => console.log(`${level} ${id} ${text}`), 0),
  name: "watchdog test",
  serve: (c) => void c.write(new TextEncoder().encode("hello\n")).finally(() => c.close()),
  probeIntervalMs: Number(probeMs),
});
console.log(`PORT ${l.port}`);
const c = await Deno.connectTls({
  hostname: "127.0.0.1",
  port: l.port,
  caCerts: [read("ca.pem")],
  cert: read("cli.pem"),
  key: read("cli.key"),
});
await c.read(new Uint8Array(16));
c.close();
console.log("READY");
await new Response(Deno.stdin.readable).arrayBuffer(); // until stdin closes
await l.close();
