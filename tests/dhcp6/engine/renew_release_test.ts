/**
 * RENEW, REBIND, RELEASE, DECLINE and CONFIRM through handle6 (RFC 8415 §18.3.3–§18.3.8): extensions, unknown
 * bindings, addresses off the link, releases and declines with Kea's statistics, on-link checks.
 */
import assert from "node:assert/strict";
import { Status6 } from "../../../mod/packet6/packet.ts";
import { LeaseState } from "../../../mod/lease/types.ts";
import { basic, Bed, big6, iaNa, iaPd, msg, replyOf, sid, stat, status, T, text6 } from "./helpers.ts";

/** A bed where the client holds 2001:db8:1::10 (IA_NA 1) and 2001:db8:8::/64 (IA_PD 2). */
function bound(): Bed {
  const bed = new Bed(basic());
  replyOf(bed.run(msg(T.REQUEST, [iaNa(1), iaPd(2)], [sid()])));
  bed.now += 1000;
  return bed;
}

Deno.test("RENEW extends both bindings: new lifetimes, cltt now, no gauge change", () => {
  const bed = bound();
  const o = bed.run(msg(T.RENEW, [iaNa(1, ["2001:db8:1::10"]), iaPd(2, ["2001:db8:8::/64"])], [sid()]));
  const { m, out } = replyOf(o);
  assert.equal(m.msgType, T.REPLY);
  assert.deepEqual(m.ias[0].addresses.map((a) => [text6(a.address), a.preferred, a.valid]), [[
    "2001:db8:1::10",
    3000,
    4000,
  ]]);
  assert.deepEqual([m.ias[0].t1, m.ias[0].t2], [1500, 2400]);
  assert.equal(text6(m.ias[1].prefixes[0].prefix), "2001:db8:8::");
  assert.equal(out.mutations.length, 2);
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::10"))!.cltt, bed.now);
  assert.equal(stat(o, "subnet[1].assigned-nas"), 0);
  assert.equal(stat(o, "subnet[1].cumulative-assigned-nas"), 0);
  assert.equal(out.events[0].kind, "renew");
});

Deno.test("RENEW listing an address the IA does not hold returns it with lifetimes 0 beside the real one", () => {
  const bed = bound();
  const { m } = replyOf(bed.run(msg(T.RENEW, [iaNa(1, ["2001:db8:1::10", "2001:db8:1::12"])], [sid()])));
  const got = m.ias[0].addresses.map((a) => [text6(a.address), a.preferred, a.valid]);
  assert.deepEqual(got, [["2001:db8:1::10", 3000, 4000], ["2001:db8:1::12", 0, 0]]);
});

Deno.test("no subnet for the link: RENEW gets NoBinding, REBIND its entries at lifetimes 0", () => {
  const bed = bound();
  bed.arrival = { ...bed.arrival, iface: "eth9" };
  const renew = replyOf(bed.run(msg(T.RENEW, [iaNa(1, ["2001:db8:1::10"]), iaPd(2)], [sid()])));
  assert.deepEqual(renew.m.ias.map((ia) => ia.status?.code), [Status6.NoBinding, Status6.NoBinding]);
  assert.deepEqual(renew.m.ias[0].addresses, []);
  assert.deepEqual(renew.out.mutations, []);
  const rebind = replyOf(bed.run(msg(T.REBIND, [iaNa(9, ["2001:db8:99::1"]), iaPd(2, ["2001:db8:8::/64"])])));
  assert.deepEqual(rebind.m.ias[0].addresses.map((a) => [text6(a.address), a.preferred, a.valid]), [[
    "2001:db8:99::1",
    0,
    0,
  ]]);
  assert.deepEqual(rebind.m.ias[1].prefixes.map((p) => [text6(p.prefix), p.prefixLen, p.valid]), [[
    "2001:db8:8::",
    64,
    0,
  ]]);
  assert.deepEqual(rebind.out.mutations, []);
});

Deno.test("RENEW for an IA the server does not know: a new binding, as Kea allocates during renewals", () => {
  const bed = bound();
  const o = bed.run(msg(T.RENEW, [iaNa(9)], [sid()]));
  const { m } = replyOf(o);
  assert.equal(m.ias[0].status, undefined);
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::11");
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::11"))!.iaid, 9);
  assert.equal(stat(o, "subnet[1].assigned-nas"), 1);
});

Deno.test("REBIND, unknown binding, off-link address: that one at lifetimes 0, a new one granted", () => {
  const bed = bound();
  const { m } = replyOf(bed.run(msg(T.REBIND, [iaNa(9, ["2001:db8:99::1"])])));
  assert.deepEqual(m.ias[0].addresses.map((a) => [text6(a.address), a.preferred, a.valid]), [
    ["2001:db8:1::11", 3000, 4000],
    ["2001:db8:99::1", 0, 0],
  ]);
  assert.deepEqual([m.ias[0].t1, m.ias[0].t2], [1500, 2400]);
});

Deno.test("RENEW with nothing left in the pools for an unknown IA: NoAddrsAvail, listed address at lifetimes 0", () => {
  const bed = new Bed(basic({}, { pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::10" }] }));
  bed.run(msg(T.REQUEST, [iaNa(1)], [sid()], "00:03:00:01:00:00:00:00:00:01"));
  const { m } = replyOf(bed.run(msg(T.RENEW, [iaNa(1, ["2001:db8:1::10"])], [sid()])));
  assert.equal(m.ias[0].status?.code, Status6.NoAddrsAvail);
  assert.deepEqual(m.ias[0].addresses.map((a) => [text6(a.address), a.valid]), [["2001:db8:1::10", 0]]);
  assert.deepEqual([m.ias[0].t1, m.ias[0].t2], [0, 0]);
});

Deno.test("RENEW of a binding now reserved for another host: withdrawn at lifetimes 0, a new one granted", () => {
  const cfg = basic({}, {
    reservations: [{ duid: "00:03:00:01:00:00:00:00:00:07", "ip-addresses": ["2001:db8:1::10"] }],
  });
  const bed = new Bed(basic());
  bed.run(msg(T.REQUEST, [iaNa(1)], [sid()]));
  bed.config = cfg;
  const o = bed.run(msg(T.RENEW, [iaNa(1, ["2001:db8:1::10"])], [sid()]));
  const { m, out } = replyOf(o);
  assert.deepEqual(m.ias[0].addresses.map((a) => [text6(a.address), a.valid]), [
    ["2001:db8:1::10", 0],
    ["2001:db8:1::11", 4000],
  ]);
  assert.deepEqual(out.mutations.map((x) => x.op), ["del", "put"]);
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::10")), undefined);
  assert.equal(stat(o, "subnet[1].assigned-nas"), 0); // one out, one in
});

Deno.test("REBIND for an unknown binding with an on-link free address: a new binding, as Kea creates", () => {
  const bed = bound();
  const o = bed.run(msg(T.REBIND, [iaNa(9, ["2001:db8:1::12"])]));
  const { m } = replyOf(o);
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::12");
  assert.equal(m.ias[0].addresses[0].valid, 4000);
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::12"))!.iaid, 9);
  assert.equal(stat(o, "subnet[1].assigned-nas"), 1);
});

Deno.test("REBIND of a known binding extends it like RENEW", () => {
  const bed = bound();
  const { m } = replyOf(bed.run(msg(T.REBIND, [iaNa(1, ["2001:db8:1::10"])])));
  assert.equal(m.ias[0].addresses[0].valid, 4000);
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::10"))!.cltt, bed.now);
});

Deno.test("RELEASE deletes the client's bindings: per-IA Success, top-level Success, gauges down", () => {
  const bed = bound();
  const o = bed.run(msg(T.RELEASE, [iaNa(1, ["2001:db8:1::10"]), iaPd(2, ["2001:db8:8::/64"])], [sid()]));
  const { m, out } = replyOf(o);
  assert.equal(m.msgType, T.REPLY);
  assert.deepEqual(status(m), [Status6.Success, "Summary status for all processed IA_NAs"]);
  assert.deepEqual(m.ias.map((ia) => ia.status?.code), [Status6.Success, Status6.Success]);
  assert.deepEqual(out.mutations.map((x) => x.op), ["del", "del"]);
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::10")), undefined);
  assert.equal(stat(o, "subnet[1].assigned-nas"), -1);
  assert.equal(stat(o, "subnet[1].assigned-pds"), -1);
  assert.equal(stat(o, "pkt6-reply-sent"), 1);
});

Deno.test("RELEASE of an address another client holds: NoBinding, the lease stays", () => {
  const bed = bound();
  const o = bed.run(msg(T.RELEASE, [iaNa(1, ["2001:db8:1::10"])], [sid()], "00:03:00:01:00:00:00:00:00:99"));
  const { m, out } = replyOf(o);
  assert.equal(status(m)?.[0], Status6.NoBinding);
  assert.equal(m.ias[0].status?.code, Status6.NoBinding);
  assert.deepEqual(out.mutations, []);
  assert.ok(bed.leases.byAddress(big6("2001:db8:1::10")));
});

Deno.test("DECLINE: the lease is declined for the probation period, declined-addresses up, not reused", () => {
  const bed = new Bed(basic({ "decline-probation-period": 600 }));
  bed.run(msg(T.REQUEST, [iaNa(1)], [sid()]));
  const o = bed.run(msg(T.DECLINE, [iaNa(1, ["2001:db8:1::10"])], [sid()]));
  const { m } = replyOf(o);
  assert.equal(status(m)?.[0], Status6.Success);
  assert.equal(m.ias[0].status?.code, Status6.Success);
  const l = bed.leases.byAddress(big6("2001:db8:1::10"))!;
  assert.equal(l.state, LeaseState.DECLINED);
  assert.equal(l.validLifetime, 600);
  assert.equal(l.preferredLifetime, 0);
  assert.equal(l.duid, "00");
  assert.equal(stat(o, "declined-addresses"), 1);
  assert.equal(stat(o, "subnet[1].declined-addresses"), 1);
  assert.equal(stat(o, "subnet[1].assigned-nas"), 0);
  // another client does not get the declined address while on probation
  const other = replyOf(
    bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::10"])], [sid()], "00:03:00:01:00:00:00:00:00:02")),
  );
  assert.notEqual(text6(other.m.ias[0].addresses[0].address), "2001:db8:1::10");
});

Deno.test("DECLINE of an address the client does not hold: NoBinding in the IA", () => {
  const bed = bound();
  const { m, out } = replyOf(bed.run(msg(T.DECLINE, [iaNa(1, ["2001:db8:1::11"])], [sid()])));
  assert.equal(m.ias[0].status?.code, Status6.NoBinding);
  assert.deepEqual(out.mutations, []);
});

Deno.test("CONFIRM: Success when on link, NotOnLink otherwise, no reply without addresses", () => {
  const cases: [string[], number | undefined][] = [
    [["2001:db8:1::10"], Status6.Success],
    [["2001:db8:1::ffff", "2001:db8:1::1"], Status6.Success],
    [["2001:db8:1::10", "2001:db8:2::1"], Status6.NotOnLink],
    [[], undefined],
  ];
  for (const [addrs, want] of cases) {
    const o = new Bed(basic()).run(msg(T.CONFIRM, [iaNa(1, addrs)]));
    if (want === undefined) {
      assert.equal(o.kind, "drop", addrs.join());
      continue;
    }
    const { m, out } = replyOf(o);
    assert.equal(status(m)?.[0], want, addrs.join());
    assert.deepEqual(m.ias, []);
    assert.deepEqual(out.mutations, []);
  }
});
