/**
 * Root-only tests in a namespace lab (prefix "wkn-"): per-interface sockets tell LANs apart, broadcast replies
 * leave by the arrival interface, and an AF_PACKET unicast reaches a MAC the server never ARPed for. Sockets are
 * opened by tests/net/ns_agent.ts run inside the lab hosts. Skips with the reason when not root.
 */
import assert from "node:assert/strict";
import { Lab } from "../e2e/lab.ts";

const why = Lab.available();
if (why) console.log(`skipping namespace socket tests: ${why}`);

const AGENT = new URL("./ns_agent.ts", import.meta.url).pathname;
const agent = (...args: string[]) => [Deno.execPath(), "run", "-A", "--quiet", AGENT, ...args];

interface Line {
  text: string;
  iface: string;
  ifindex: number;
  src: string;
  dst: string;
  local: string;
  served?: string;
}
const lines = (out: string): Line[] => out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test({
  name: "per-interface sockets in srv1: LAN B broadcast arrives on eth1 only; replies leave by the arrival interface",
  ignore: why !== undefined,
  async fn() {
    const lab = await Lab.up("wkn-");
    try {
      const srv = lab.spawn("srv1", agent("serve", "eth0,eth1", "67", "udp"));
      const onA = lab.spawn("cli1", agent("listen", "eth0", "68"));
      const onB = lab.spawn("cli2", agent("listen", "eth0", "68"));
      await Promise.all([srv.waitFor(/READY/), onA.waitFor(/READY/), onB.waitFor(/READY/)]);
      const eth0 = await lab.ifindex("srv1", "eth0"), eth1 = await lab.ifindex("srv1", "eth1");
      assert.notEqual(eth0, eth1);

      // a client with no address on LAN B broadcasts from 0.0.0.0:68, as a DHCPDISCOVER does
      await lab.check(
        "cli2",
        agent("link", "eth0", "ff:ff:ff:ff:ff:ff", "0.0.0.0", "255.255.255.255", "68", "67", "bcast-from-b"),
      );
      // a host with an address on LAN A broadcasts too
      await lab.check(
        "cli",
        agent("link", "eth0", "ff:ff:ff:ff:ff:ff", "198.18.0.100", "255.255.255.255", "68", "67", "bcast-from-a"),
      );

      await until("both queries at srv1", () => lines(srv.output).length >= 2);
      const got = lines(srv.output);
      const b = got.filter((l) => l.text === "bcast-from-b");
      const a = got.filter((l) => l.text === "bcast-from-a");
      assert.equal(b.length, 1, "LAN B's broadcast is received once, by the eth1 socket only");
      assert.deepEqual(b[0], {
        text: "bcast-from-b",
        iface: "eth1",
        ifindex: eth1,
        src: "0.0.0.0:68",
        dst: "255.255.255.255",
        local: "198.19.0.1",
        served: "eth1 198.19.0.1",
      });
      assert.equal(a.length, 1);
      assert.deepEqual([a[0].iface, a[0].ifindex, a[0].src, a[0].local], [
        "eth0",
        eth0,
        "198.18.0.100:68",
        "198.18.0.1",
      ]);

      // srv1 has no default route: each broadcast reply must still leave by its arrival interface, from its address
      await until("replies", () => lines(onB.output).length >= 1 && lines(onA.output).length >= 1);
      await new Promise((r) => setTimeout(r, 200)); // let any stray copy arrive before asserting there is none
      assert.deepEqual(lines(onB.output).map((l) => [l.text, l.src, l.dst]), [[
        "re:bcast-from-b",
        "198.19.0.1:67",
        "255.255.255.255",
      ]]);
      assert.deepEqual(lines(onA.output).map((l) => [l.text, l.src, l.dst]), [[
        "re:bcast-from-a",
        "198.18.0.1:67",
        "255.255.255.255",
      ]]);
    } finally {
      await lab.down();
    }
  },
});

Deno.test({
  name: "LinkSender: a unicast to a client's MAC and yiaddr arrives with valid checksums and no ARP from the server",
  ignore: why !== undefined,
  async fn() {
    const lab = await Lab.up("wkn-");
    try {
      const srv = lab.spawn("srv1", agent("serve", "eth1", "67", "raw"));
      // the client holds 198.19.0.77 so that its UDP socket accepts the datagram; it never announces it, and srv1
      // must not ARP for it (an unaddressed DHCP client could not answer)
      await lab.check("cli2", ["ip", "addr", "add", "198.19.0.77/16", "dev", "eth0"]);
      const cli = lab.spawn("cli2", agent("listen", "eth0", "68"));
      await Promise.all([srv.waitFor(/READY/), cli.waitFor(/READY/)]);
      const mac = await lab.mac("cli2", "eth0");
      await lab.check(
        "cli2",
        agent("link", "eth0", "ff:ff:ff:ff:ff:ff", "0.0.0.0", "255.255.255.255", "68", "67", `link ${mac} 198.19.0.77`),
      );
      await until("the link-layer reply", () => lines(cli.output).length >= 1);
      // the kernel checked the IP and UDP checksums before handing it to the socket
      assert.deepEqual(lines(cli.output).map((l) => [l.text, l.src, l.dst]), [[
        "linkreply",
        "198.19.0.1:67",
        "198.19.0.77",
      ]]);
      const neigh = await lab.check("srv1", ["ip", "neigh", "show", "198.19.0.77"]);
      assert.equal(neigh.trim(), "", "srv1 made no ARP entry for the client");
    } finally {
      await lab.down();
    }
  },
});

Deno.test({
  name: "Lab.down() removes every namespace with its prefix and the /etc/netns directories",
  ignore: why !== undefined,
  async fn() {
    const lab = await Lab.up("wkn-");
    const sleeper = lab.spawn("cli3", ["sleep", "60"]);
    assert.match(await lab.check("relay", ["sysctl", "-n", "net.ipv4.ip_forward"]), /^1/);
    assert.match(await lab.check("srv1", ["ip", "route", "show", "198.20.0.0/16"]), /via 198\.18\.0\.254 dev eth0/);
    await lab.down();
    assert.ok(sleeper.exited, "spawned processes are stopped");
    const list = new TextDecoder().decode((await new Deno.Command("ip", { args: ["netns", "list"] }).output()).stdout);
    assert.ok(!list.split("\n").some((l) => l.startsWith("wkn-")), `namespaces left: ${list}`);
    assert.ok(![...Deno.readDirSync("/etc/netns")].some((e) => e.name.startsWith("wkn-")));
  },
});
