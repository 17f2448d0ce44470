/**
 * The README's first command keeps working: `sudo deno task demo` (tests/e2e/demo.ts) run as an operator runs it,
 * with BIND (the client's lease, its A and PTR records from dig, the status page answering, the `weka status`
 * summary) and as on a machine without BIND (WEKA_DEMO_BIND=0: the lease still, no DNS, and the Debian packages
 * that add it named). Needs root, dhclient and BIND; else skipped.
 */
import assert from "node:assert/strict";
import { labSkipReason } from "../e2e/weka_proc.ts";

const why = labSkipReason(
  ["/usr/sbin/dhclient", "/usr/sbin/named", "/usr/bin/dig", "/usr/bin/curl"],
  "apt-get install isc-dhcp-client bind9 bind9-dnsutils curl",
);
if (why) console.log(`SKIP demo: ${why}`);

async function demo(env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const o = await new Deno.Command("deno", {
    args: ["task", "demo"],
    cwd: new URL("../../", import.meta.url).pathname,
    env,
    stdin: "null",
  }).output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout) + dec.decode(o.stderr) };
}

Deno.test({
  name: "demo: sudo deno task demo shows the lease, its A and PTR records, the status page and weka status",
  ignore: why !== undefined,
  fn: async () => {
    const { code, out } = await demo();
    assert.equal(code, 0, out);
    const ip = /bound to (198\.18\.1\.\d+)/.exec(out)?.[1];
    assert.ok(ip, out);
    assert.match(out, new RegExp(`${ip.replaceAll(".", "\\.")} +[0-9a-f:]{17} .* demo-laptop\\.demo\\.weka\\.test`));
    assert.match(out, /held by the server at \.lab\/demo-ctrl4\.sock/);
    assert.match(out, new RegExp(`demo-laptop\\.demo\\.weka\\.test\\. A +${ip.replaceAll(".", "\\.")}`));
    assert.match(
      out,
      new RegExp(`${ip.split(".").reverse().join("\\.")}\\.in-addr\\.arpa\\. PTR demo-laptop\\.demo\\.weka\\.test\\.`),
    );
    assert.match(out, /GET http:\/\/198\.18\.0\.1:8000\/ from cli1: 200 text\/html/);
    assert.match(out, /subnet 1 +198\.18\.0\.0\/16 +\[.{20}\] 1 \/ 100/);
    assert.match(out, /ncr-sent=1/);
    assert.match(out, /done: no namespace wkdemo-\* is left/);
  },
});

Deno.test({
  name: "demo: without BIND it still leases, and names the Debian packages that add DNS",
  ignore: why !== undefined,
  fn: async () => {
    const { code, out } = await demo({ WEKA_DEMO_BIND: "0" });
    assert.equal(code, 0, out);
    assert.match(out, /BIND is not installed.*\n.*apt-get install bind9 bind9-dnsutils/);
    assert.match(out, /bound to 198\.18\.1\.\d+/);
    assert.doesNotMatch(out, / PTR /);
    assert.match(out, /weka DHCPv4 server, pid \d+/);
  },
});
