/**
 * Host reservations, client classes and reply options through handle6: reserved addresses and prefixes by DUID
 * and by hardware address, reserved addresses kept from others, Kea's option precedence (reservation > pool >
 * subnet > class > global), always-send, class guards and class lifetimes.
 */
import assert from "node:assert/strict";
import { getOption6, Status6 } from "../../../mod/packet6/packet.ts";
import type { Dhcp6Config } from "../../../mod/config/model6.ts";
import { Bed, CLIENT_DUID, iaNa, iaPd, load6, msg, Opt6, oro, relay, replyOf, sid, T, text6 } from "./helpers.ts";

const OTHER = "00:03:00:01:00:00:00:00:00:02";

function cfg(extra: Record<string, unknown> = {}): Dhcp6Config {
  return load6({
    "preferred-lifetime": 3000,
    "valid-lifetime": 4000,
    "option-data": [
      { name: "dns-servers", data: "2001:db8::53" },
      { name: "sntp-servers", data: "2001:db8::123" },
      { name: "information-refresh-time", data: "3600", "always-send": true },
    ],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      pools: [{
        pool: "2001:db8:1::10 - 2001:db8:1::1f",
        "option-data": [{ name: "domain-search", data: "pool.example" }],
      }],
      "pd-pools": [{ prefix: "2001:db8:8::", "prefix-len": 56, "delegated-len": 60 }],
      "option-data": [{ name: "dns-servers", data: "2001:db8:1::53" }],
      reservations: [
        {
          duid: CLIENT_DUID,
          "ip-addresses": ["2001:db8:1::99"],
          prefixes: ["2001:db8:77::/48"],
          hostname: "alpha",
          "option-data": [{ name: "domain-search", data: "host.example" }],
        },
        { "hw-address": "52:54:00:00:00:07", "ip-addresses": ["2001:db8:1::15"] },
      ],
    }],
    ...extra,
  });
}

const opt = (m: { options: { code: number; data: Uint8Array }[] }, code: number) => getOption6(m.options, code);
/** domain-search wire text "\x04pool\x07example\x00" → "pool.example" */
function domain(d: Uint8Array | undefined): string {
  if (!d) return "";
  const out: string[] = [];
  for (let i = 0; i < d.length && d[i];) {
    out.push(new TextDecoder().decode(d.subarray(i + 1, i + 1 + d[i])));
    i += d[i] + 1;
  }
  return out.join(".");
}

Deno.test("reservation by DUID: the reserved address and prefix, the host's hostname and options", () => {
  const bed = new Bed(cfg());
  const { m } = replyOf(bed.run(msg(T.REQUEST, [iaNa(1), iaPd(2)], [sid(), oro(23, 24)])));
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::99");
  assert.equal(text6(m.ias[1].prefixes[0].prefix), "2001:db8:77::");
  assert.equal(m.ias[1].prefixes[0].prefixLen, 48);
  assert.equal(domain(opt(m, 24)), "host.example"); // reservation beats pool
  assert.equal(text6(opt(m, 23)!), "2001:db8:1::53"); // subnet beats global
  const lease = [...bed.leases.map.values()].find((l) => l.prefixLen === 128)!;
  assert.equal(lease.hostname, "alpha");
});

Deno.test("reservation by hardware address (from the relay's client link-layer option, RFC 6939)", () => {
  const bed = new Bed(cfg());
  bed.arrival = { ...bed.arrival, iface: "eth5" };
  const lla = { code: Opt6.CLIENT_LINKLAYER_ADDR, data: Uint8Array.of(0, 1, 0x52, 0x54, 0, 0, 0, 7) };
  const q = relay(msg(T.SOLICIT, [iaNa(1)], [], "00:02:00:00:00:09:aa"), "2001:db8:1::1", "fe80::9", [lla]);
  const { m } = replyOf(bed.run(q));
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::15");
});

Deno.test("a reserved address is kept from other clients, even as a hint", () => {
  const bed = new Bed(cfg());
  const { m } = replyOf(bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::15"])], [sid()], OTHER)));
  assert.notEqual(text6(m.ias[0].addresses[0].address), "2001:db8:1::15");
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::10");
});

Deno.test("a reserved address held by another client's live lease is not taken: the pools serve instead", () => {
  const bed = new Bed(cfg({ "reservations-out-of-pool": false }));
  // someone got ::99 before the reservation existed
  bed.leases.apply([{
    op: "put",
    lease: {
      address: 0x20010db8000100000000000000000099n,
      prefixLen: 128,
      type: 0,
      duid: OTHER,
      iaid: 1,
      preferredLifetime: 3000,
      validLifetime: 4000,
      cltt: bed.now,
      subnetId: 1,
      fqdnFwd: false,
      fqdnRev: false,
      hostname: "",
      hwaddr: "",
      state: 0,
    },
  }]);
  const { m } = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], [sid()])));
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::10");
});

Deno.test("option precedence: pool over subnet over class over global; always-send without ORO", () => {
  const c = cfg({
    "client-classes": [{
      name: "phones",
      test: "substring(option[1].hex, 0, 2) == 0x0003",
      "option-data": [{ name: "sntp-servers", data: "2001:db8:c::123" }, {
        name: "dns-servers",
        data: "2001:db8:c::53",
      }],
    }],
  });
  const phone = "00:03:00:01:aa:bb:cc:dd:ee:ff";
  const { m } = replyOf(new Bed(c).run(msg(T.REQUEST, [iaNa(1)], [sid(), oro(23, 24, 31)], phone)));
  assert.equal(domain(opt(m, 24)), "pool.example"); // pool option of the granted address
  assert.equal(text6(opt(m, 23)!), "2001:db8:1::53"); // subnet over class
  assert.equal(text6(opt(m, 31)!), "2001:db8:c::123"); // class over global
  assert.deepEqual([...opt(m, 32)!], [0, 0, 0x0e, 0x10]); // always-send, not requested
  // a client outside the class gets the global sntp server
  const { m: m2 } = replyOf(new Bed(c).run(msg(T.REQUEST, [iaNa(1)], [sid(), oro(31)], "00:02:00:00:00:09:aa")));
  assert.equal(text6(opt(m2, 31)!), "2001:db8::123");
  // requested options come in code order after the identifiers
  assert.deepEqual(m.options.map((x) => x.code), [Opt6.CLIENTID, Opt6.SERVERID, 23, 24, 31, 32]);
});

Deno.test("class guards: a pool for a class serves only its members; class lifetimes win", () => {
  const c = load6({
    "client-classes": [{
      name: "phones",
      test: "substring(option[1].hex, 0, 2) == 0x0003",
      "valid-lifetime": 900,
      "preferred-lifetime": 600,
    }],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::10", "client-class": "phones" }],
    }],
  });
  const phone = replyOf(new Bed(c).run(msg(T.REQUEST, [iaNa(1)], [sid()], "00:03:00:01:aa:bb:cc:dd:ee:ff"))).m;
  assert.equal(text6(phone.ias[0].addresses[0].address), "2001:db8:1::10");
  assert.deepEqual([phone.ias[0].addresses[0].preferred, phone.ias[0].addresses[0].valid], [600, 900]);
  const o = new Bed(c).run(msg(T.REQUEST, [iaNa(1)], [sid()], "00:02:00:00:00:09:aa"));
  const pc = replyOf(o).m;
  assert.equal(pc.ias[0].status?.code, Status6.NoAddrsAvail);
  assert.ok(o.stats.some(([n]) => n === "v6-allocation-fail-classes"));
});

Deno.test("the DROP class drops the query", () => {
  const c = load6({
    "client-classes": [{ name: "DROP", test: "option[16].exists" }],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::20" }],
    }],
  });
  const vc = { code: 16, data: Uint8Array.of(0, 0, 0, 9, 0, 2, 0x61, 0x62) };
  const o = new Bed(c).run(msg(T.SOLICIT, [iaNa(1)], [vc]));
  assert.equal(o.kind === "drop" && o.reason, "drop-class");
  assert.equal(new Bed(c).run(msg(T.SOLICIT, [iaNa(1)])).kind, "reply");
});

Deno.test("global reservations need reservations-global; subnet ones need reservations-in-subnet", () => {
  const base = (flags: Record<string, unknown>) =>
    load6({
      reservations: [{ duid: CLIENT_DUID, "ip-addresses": ["2001:db8:1::77"] }],
      subnet6: [{
        id: 1,
        subnet: "2001:db8:1::/64",
        interface: "eth0",
        pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::1f" }],
        reservations: [{ duid: CLIENT_DUID, "ip-addresses": ["2001:db8:1::88"] }],
        ...flags,
      }],
    });
  const cases: [Record<string, unknown>, string][] = [
    [{}, "2001:db8:1::88"],
    [{ "reservations-global": true, "reservations-in-subnet": false }, "2001:db8:1::77"],
    [{ "reservations-global": true, "reservations-in-subnet": true }, "2001:db8:1::88"],
    [{ "reservations-in-subnet": false }, "2001:db8:1::10"],
  ];
  for (const [flags, want] of cases) {
    const { m } = replyOf(new Bed(base(flags)).run(msg(T.SOLICIT, [iaNa(1)])));
    assert.equal(text6(m.ias[0].addresses[0].address), want, JSON.stringify(flags));
  }
});

Deno.test("log lines carry Kea message ids and the client label", () => {
  const o = new Bed(cfg()).run(msg(T.REQUEST, [iaNa(1), iaPd(2)], [sid()], OTHER));
  const { out } = replyOf(o);
  assert.deepEqual(out.log.map((l) => l.id), ["DHCP6_LEASE_ALLOC", "DHCP6_PD_LEASE_ALLOC"]);
  assert.match(
    out.log[0].text,
    /^duid=\[00:03:00:01:00:00:00:00:00:02\], \[hwaddr=00:00:00:00:00:02\], tid=0xabcdef: /,
  );
  assert.match(out.log[0].text, /2001:db8:1::10 and iaid=1 has been allocated/);
});
