/**
 * Interface resolution (pure, Kea's interfaces-config semantics) and discovery on this host (loopback is always
 * there, with index if_nametoindex("lo") and the loopback flag).
 */
import assert from "node:assert/strict";
import { type IfaceInfo, listInterfaces, resolveServedInterfaces } from "../../mod/net/interfaces.ts";
import { ifNameToIndex } from "../../mod/net/libc.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";

const ip = (s: string) => parseIpv4(s)!;
const mac = (n: number) => new Uint8Array([2, 0, 0, 0, 0, n]);

const HOST: IfaceInfo[] = [
  {
    name: "lo",
    index: 1,
    mac: new Uint8Array(6),
    addrs: [{ addr: ip("127.0.0.1"), len: 8 }],
    up: true,
    loopback: true,
  },
  { name: "eth0", index: 2, mac: mac(1), addrs: [{ addr: ip("198.18.0.1"), len: 16 }], up: true, loopback: false },
  {
    name: "eth1",
    index: 3,
    mac: mac(2),
    addrs: [{ addr: ip("198.19.0.1"), len: 16 }, { addr: ip("198.19.0.2"), len: 16 }],
    up: true,
    loopback: false,
  },
  { name: "eth2", index: 4, mac: mac(3), addrs: [], up: true, loopback: false },
  { name: "eth3", index: 5, mac: mac(4), addrs: [{ addr: ip("198.21.0.1"), len: 24 }], up: false, loopback: false },
];

Deno.test("'*' serves every up, non-loopback interface with an IPv4 address", () => {
  const got = resolveServedInterfaces([{ name: "*" }], HOST);
  assert.deepEqual(got.map((i) => [i.name, i.index, i.addr]), [["eth0", 2, ip("198.18.0.1")], [
    "eth1",
    3,
    ip("198.19.0.1"),
  ]]);
});

Deno.test("an empty interface list serves nothing (safe default)", () => {
  assert.deepEqual(resolveServedInterfaces([], HOST), []);
});

Deno.test("a named interface is served with its first address; eth1/ADDR picks that address", () => {
  const a = resolveServedInterfaces([{ name: "eth1" }], HOST);
  assert.equal(a.length, 1);
  assert.equal(a[0].addr, ip("198.19.0.1"));
  assert.deepEqual(a[0].mac, mac(2));
  const b = resolveServedInterfaces([{ name: "eth1", address: ip("198.19.0.2") }], HOST);
  assert.equal(b[0].addr, ip("198.19.0.2"));
});

Deno.test("a missing interface is an error naming it, the config key and the present ones", () => {
  assert.throws(
    () => resolveServedInterfaces([{ name: "eth0" }, { name: "eth9" }], HOST),
    {
      message:
        "interface 'eth9' named in Dhcp4.interfaces-config.interfaces does not exist; present: lo, eth0, eth1, eth2, eth3",
    },
  );
});

Deno.test("an address not on the named interface, and an interface without IPv4, are errors", () => {
  assert.throws(
    () => resolveServedInterfaces([{ name: "eth0", address: ip("198.19.0.1") }], HOST),
    /address 198\.19\.0\.1 named in .* is not configured on interface 'eth0'; it has: 198\.18\.0\.1/,
  );
  assert.throws(() => resolveServedInterfaces([{ name: "eth2" }], HOST), /'eth2' .* has no IPv4 address/);
});

Deno.test("a named interface that is down is skipped with a warning; loopback may be named explicitly", () => {
  const warnings: string[] = [];
  const got = resolveServedInterfaces([{ name: "eth3" }, { name: "lo" }], HOST, (m) => warnings.push(m));
  assert.deepEqual(got.map((i) => i.name), ["lo"]);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /'eth3' .* is down/);
});

Deno.test("'*' plus a named address entry: no duplicates, the explicit address wins", () => {
  const got = resolveServedInterfaces([{ name: "*" }, { name: "eth1", address: ip("198.19.0.2") }], HOST);
  assert.deepEqual(got.map((i) => [i.name, i.addr]), [["eth0", ip("198.18.0.1")], ["eth1", ip("198.19.0.2")]]);
});

Deno.test("listInterfaces reports loopback with its index, flags and 127.0.0.1/8", () => {
  const all = listInterfaces();
  const lo = all.find((i) => i.name === "lo");
  assert.ok(lo, "lo is listed");
  assert.equal(lo.index, ifNameToIndex("lo"));
  assert.equal(lo.loopback, true);
  assert.equal(lo.up, true);
  assert.deepEqual(lo.addrs.find((a) => a.addr === ip("127.0.0.1")), { addr: ip("127.0.0.1"), len: 8 });
  assert.equal(lo.mac.length, 6);
  for (const i of all) assert.ok(i.index > 0, `${i.name} has an index`);
  assert.ok(!resolveServedInterfaces([{ name: "*" }], all).some((i) => i.name === "lo"), "'*' never serves lo");
});
