/**
 * Shared networks (Kea's allocation walk over the subnets of a shared network) and the Prefix Exclude option
 * (RFC 6603) of delegated prefixes, through handle6.
 */
import assert from "node:assert/strict";
import { Status6 } from "../../../mod/packet6/packet.ts";
import { pdExclude6 } from "../../../mod/dhcp6/engine/pd_exclude6.ts";
import {
  Bed,
  big6,
  CLIENT_DUID,
  iaNa,
  iaPd,
  load6,
  msg,
  oro,
  replyOf,
  sid,
  stat,
  status,
  T,
  text6,
} from "./helpers.ts";

const NET = load6({
  "shared-networks": [{
    name: "lan",
    interface: "eth0",
    subnet6: [
      { id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::10" }] },
      { id: 2, subnet: "2001:db8:2::/64", pools: [{ pool: "2001:db8:2::10 - 2001:db8:2::10" }] },
    ],
  }],
});
const duid = (n: number) => `00:03:00:01:00:00:00:00:00:0${n}`;

Deno.test("shared network: the second client is served from the sibling subnet, the third gets NoAddrsAvail", () => {
  const bed = new Bed(NET);
  const a = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], [sid()], duid(1)))).m;
  assert.equal(text6(a.ias[0].addresses[0].address), "2001:db8:1::10");
  const ob = bed.run(msg(T.REQUEST, [iaNa(1)], [sid()], duid(2)));
  assert.equal(text6(replyOf(ob).m.ias[0].addresses[0].address), "2001:db8:2::10");
  assert.equal(stat(ob, "subnet[2].assigned-nas"), 1);
  assert.equal(stat(ob, "subnet[1].assigned-nas"), 0);
  assert.equal(bed.leases.byAddress(big6("2001:db8:2::10"))!.subnetId, 2);
  const oc = bed.run(msg(T.REQUEST, [iaNa(1)], [sid()], duid(3)));
  assert.equal(replyOf(oc).m.ias[0].status?.code, Status6.NoAddrsAvail);
  assert.equal(stat(oc, "v6-allocation-fail-shared-network"), 1);
  // the second client renews its binding in the sibling subnet and confirms it is on link
  bed.now += 10;
  const r = replyOf(bed.run(msg(T.RENEW, [iaNa(1, ["2001:db8:2::10"])], [sid()], duid(2)))).m;
  assert.equal(r.ias[0].addresses[0].valid, 7200);
  assert.equal(bed.leases.byAddress(big6("2001:db8:2::10"))!.cltt, bed.now);
  const c = replyOf(bed.run(msg(T.CONFIRM, [iaNa(1, ["2001:db8:2::10"])], [], duid(2)))).m;
  assert.equal(status(c)?.[0], Status6.Success);
});

Deno.test("pd-exclude payload: excluded length, then the subnet-ID bits after the delegated length", () => {
  const cases: [string, number, number, string, number, number[]][] = [
    // /56 delegated, /64 excluded: 8 bits of subnet ID (0x01 of 2001:db8:8:1::)
    ["2001:db8:8::", 48, 56, "2001:db8:8:1::", 64, [64, 0x01]],
    // /60 delegated, /62 excluded: 2 bits (0b11 → 0xc0 left-aligned)
    ["2001:db8:8::", 56, 60, "2001:db8:8:c::", 62, [62, 0xc0]],
    // /48 delegated, /64 excluded: 16 bits (0xabcd)
    ["2001:db8::", 40, 48, "2001:db8:0:abcd::", 64, [64, 0xab, 0xcd]],
  ];
  for (const [p, pl, dl, ex, el, want] of cases) {
    const o = pdExclude6({
      prefix: big6(p),
      prefixLen: pl,
      delegatedLen: dl,
      excludedPrefix: big6(ex),
      excludedPrefixLen: el,
      options: new Map(),
      additionalClasses: [],
    });
    assert.deepEqual([...o!.data], want, `${ex}/${el}`);
    assert.equal(o!.code, 67);
  }
});

Deno.test("pd-exclude in the IAPREFIX only when the client requests option 67", () => {
  const cfg = load6({
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      "pd-pools": [{
        prefix: "2001:db8:8::",
        "prefix-len": 48,
        "delegated-len": 56,
        "excluded-prefix": "2001:db8:8:1::",
        "excluded-prefix-len": 64,
      }],
    }],
  });
  const asked = replyOf(new Bed(cfg).run(msg(T.REQUEST, [iaPd(1)], [sid(), oro(67)]))).m;
  assert.deepEqual(asked.ias[0].prefixes[0].options.map((o) => [o.code, ...o.data]), [[67, 64, 1]]);
  assert.ok(!asked.options.some((o) => o.code === 67));
  const plain = replyOf(new Bed(cfg).run(msg(T.REQUEST, [iaPd(1)], [sid()]))).m;
  assert.deepEqual(plain.ias[0].prefixes[0].options, []);
});

Deno.test("a reservation's excluded-prefixes (Kea 2.7.3): option 67 for that reserved prefix; none for another", () => {
  const pool = {
    prefix: "2001:db8:8::",
    "prefix-len": 48,
    "delegated-len": 56,
    "excluded-prefix": "2001:db8:8:1::",
    "excluded-prefix-len": 64,
  };
  const cfg = (excluded: string) =>
    load6({
      subnet6: [{
        id: 1,
        subnet: "2001:db8:1::/64",
        interface: "eth0",
        "pd-pools": [pool],
        // the reserved /56 lies in the excluding pool: the reservation decides, not the pool (Kea)
        reservations: [{ duid: CLIENT_DUID, prefixes: ["2001:db8:8:200::/56"], "excluded-prefixes": [excluded] }],
      }],
    });
  const ask = (c: ReturnType<typeof cfg>) => replyOf(new Bed(c).run(msg(T.REQUEST, [iaPd(1)], [sid(), oro(67)]))).m;
  const m = ask(cfg("2001:db8:8:2a0::/60"));
  assert.equal(text6(m.ias[0].prefixes[0].prefix), "2001:db8:8:200::");
  // excluded length 60, then the 4 bits after /56 (0xa) left-aligned in one byte: 0xa0
  assert.deepEqual(m.ias[0].prefixes[0].options.map((o) => [o.code, ...o.data]), [[67, 60, 0xa0]]);
  assert.deepEqual(ask(cfg("")).ias[0].prefixes[0].options, [], '"" excludes nothing, whatever the pool says');
});

Deno.test("excluded-prefixes: one per reserved prefix, each inside its prefix and longer", () => {
  const refused = (r: Record<string, unknown>) => {
    try {
      load6({ subnet6: [{ id: 1, subnet: "2001:db8:1::/64", reservations: [{ duid: CLIENT_DUID, ...r }] }] });
    } catch (e) {
      return String(e);
    }
    assert.fail("accepted");
  };
  assert.match(
    refused({ prefixes: ["2001:db8:8::/56"], "excluded-prefixes": ["", ""] }),
    /excluded-prefixes has 2 entries and prefixes 1/,
  );
  assert.match(
    refused({ prefixes: ["2001:db8:8::/56"], "excluded-prefixes": ["2001:db8:9::/64"] }),
    /excluded prefix 2001:db8:9::\/64 is not inside the reserved prefix 2001:db8:8::\/56/,
  );
  assert.match(
    refused({ prefixes: ["2001:db8:8::/56"], "excluded-prefixes": ["2001:db8:8::/56"] }),
    /must be longer and within it/,
  );
});
