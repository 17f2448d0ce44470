/**
 * Root-only DHCPv6 socket tests in a namespace lab (prefix "wk6n-"): srv1 serves eth0 (LAN A) and eth1 (LAN B)
 * with Ffi6Transport (tests/net/ns_agent6.ts). A multicast to ff02::1:2 from each LAN arrives once, on its own
 * interface's socket, with the arrival ifindex and destination; the answer leaves by that interface from srv1's
 * link-local address there. A relay's unicast to srv1's global address arrives with that destination and is
 * answered from it. Skips with the reason when not root.
 */
import assert from "node:assert/strict";
import { Lab } from "../e2e/lab.ts";

const why = Lab.available();
if (why) console.log(`skipping namespace DHCPv6 socket tests: ${why}`);

const AGENT = new URL("./ns_agent6.ts", import.meta.url).pathname;
const agent = (...args: string[]) => [Deno.execPath(), "run", "-A", "--quiet", AGENT, ...args];

interface Line {
  text: string;
  iface: string;
  ifindex: number;
  src: string;
  dst: string;
}
const lines = (out: string): Line[] => out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

async function linkLocal(lab: Lab, host: string, iface: string): Promise<string> {
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    const out = await lab.check(host, ["ip", "-6", "-o", "addr", "show", "dev", iface, "scope", "link"]);
    const m = /inet6 (fe80::[0-9a-f:]+)\/64/.exec(out);
    if (m && !/tentative/.test(out)) return m[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${host} ${iface}: no usable link-local address`);
}

Deno.test({
  name: "DHCPv6 FFI sockets in srv1: each LAN's multicast arrives on its own interface; replies from the right address",
  ignore: why !== undefined,
  async fn() {
    const lab = await Lab.up("wk6n-");
    try {
      const [srvA, srvB, cliA, cliB] = await Promise.all([
        linkLocal(lab, "srv1", "eth0"),
        linkLocal(lab, "srv1", "eth1"),
        linkLocal(lab, "cli1", "eth0"),
        linkLocal(lab, "cli2", "eth0"),
      ]);
      const srv = lab.spawn("srv1", agent("serve", "eth0,eth1", "547"));
      await srv.waitFor(/READY/);
      const eth0 = await lab.ifindex("srv1", "eth0"), eth1 = await lab.ifindex("srv1", "eth1");
      const [a, b, r] = await Promise.all([
        lab.check("cli1", agent("ask", "eth0", "546", "ff02::1:2", "547", "solicit-from-a")),
        lab.check("cli2", agent("ask", "eth0", "546", "ff02::1:2", "547", "solicit-from-b")),
        lab.check("relay", agent("ask", "eth0", "547", "2001:db8:a::1", "547", "relay-forw")),
      ]);
      const got = lines(srv.output);
      assert.deepEqual(got.filter((l) => l.text === "solicit-from-a"), [{
        text: "solicit-from-a",
        iface: "eth0",
        ifindex: eth0,
        src: `[${cliA}]:546`,
        dst: "ff02::1:2",
      }], "LAN A's multicast arrives once, on eth0");
      assert.deepEqual(got.filter((l) => l.text === "solicit-from-b"), [{
        text: "solicit-from-b",
        iface: "eth1",
        ifindex: eth1,
        src: `[${cliB}]:546`,
        dst: "ff02::1:2",
      }], "LAN B's multicast arrives once, on eth1");
      assert.deepEqual(
        got.filter((l) => l.text === "relay-forw").map((l) => [l.iface, l.src, l.dst]),
        [["eth0", "[2001:db8:a::fe]:547", "2001:db8:a::1"]],
      );
      // srv1 has no default route: each answer leaves by the arrival interface, from the address the client used
      assert.deepEqual(lines(a).map((l) => [l.text, l.src]), [["re:solicit-from-a", `[${srvA}]:547`]]);
      assert.deepEqual(lines(b).map((l) => [l.text, l.src]), [["re:solicit-from-b", `[${srvB}]:547`]]);
      assert.deepEqual(lines(r).map((l) => [l.text, l.src, l.dst]), [[
        "re:relay-forw",
        "[2001:db8:a::1]:547",
        "2001:db8:a::fe",
      ]]);
    } finally {
      await lab.down();
    }
  },
});
