/**
 * SOLICIT, REQUEST and rapid commit through handle6 (RFC 8415 §18.3.1, §18.3.2): what is advertised and
 * committed, lifetimes and T1/T2, IA_NA together with IA_PD, exhaustion statuses, hints and Kea's statistics.
 */
import assert from "node:assert/strict";
import { Status6 } from "../../../mod/packet6/packet.ts";
import { LeaseState } from "../../../mod/lease/types.ts";
import {
  basic,
  Bed,
  big6,
  CLIENT_DUID,
  iaNa,
  iaPd,
  msg,
  Opt6,
  oro,
  replyOf,
  SERVER_DUID,
  sid,
  stat,
  T,
  text6,
} from "./helpers.ts";

Deno.test("SOLICIT → ADVERTISE: first pool address, lifetimes, T1/T2 from preferred, nothing written", () => {
  const bed = new Bed(basic());
  const o = bed.run(msg(T.SOLICIT, [iaNa(7)], [oro(23)]));
  const { out, m } = replyOf(o);
  assert.equal(m.msgType, T.ADVERTISE);
  assert.equal(m.transactionId, 0xabcdef);
  assert.deepEqual(out.dest, { addr: bed.arrival.srcAddr, port: 546 });
  assert.deepEqual(out.mutations, []);
  assert.equal(m.ias.length, 1);
  const ia = m.ias[0];
  assert.equal(ia.iaid, 7);
  assert.equal(text6(ia.addresses[0].address), "2001:db8:1::10");
  assert.equal(ia.addresses[0].preferred, 3000);
  assert.equal(ia.addresses[0].valid, 4000);
  assert.deepEqual([ia.t1, ia.t2], [1500, 2400]); // calculate-tee-times: 50 % / 80 % of preferred
  // CLIENTID echoed first, SERVERID second, DNS servers (23) because requested
  assert.deepEqual(m.options.map((x) => x.code), [Opt6.CLIENTID, Opt6.SERVERID, 23]);
  assert.deepEqual(m.options[1].data, SERVER_DUID);
  assert.equal(stat(o, "pkt6-advertise-sent"), 1);
  assert.equal(stat(o, "subnet[1].assigned-nas"), 0);
});

Deno.test("SOLICIT without ORO gets no DNS option; an option not configured is not invented", () => {
  const bed = new Bed(basic());
  const { m } = replyOf(bed.run(msg(T.SOLICIT, [iaNa(1)], [oro(24)])));
  assert.deepEqual(m.options.map((x) => x.code), [Opt6.CLIENTID, Opt6.SERVERID]);
});

Deno.test("REQUEST with IA_NA and IA_PD: both committed, gauges and cumulative counters move", () => {
  const bed = new Bed(basic());
  const o = bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::11"]), iaPd(2)], [sid()]));
  const { out, m } = replyOf(o);
  assert.equal(m.msgType, T.REPLY);
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::11"); // the hint, free and in the pool
  assert.equal(m.ias[1].kind, "pd");
  assert.equal(text6(m.ias[1].prefixes[0].prefix), "2001:db8:8::");
  assert.equal(m.ias[1].prefixes[0].prefixLen, 64);
  assert.equal(out.mutations.length, 2);
  const na = bed.leases.byAddress(big6("2001:db8:1::11"))!;
  assert.equal(na.duid, CLIENT_DUID);
  assert.equal(na.iaid, 1);
  assert.equal(na.cltt, bed.now);
  assert.equal(na.hwaddr, "52:54:00:aa:bb:cc"); // from the DUID-LLT
  assert.equal(na.state, LeaseState.DEFAULT);
  const pd = bed.leases.byAddress(big6("2001:db8:8::"))!;
  assert.equal(pd.type, 2);
  assert.equal(pd.prefixLen, 64);
  for (
    const [name, v] of [
      ["subnet[1].assigned-nas", 1],
      ["assigned-nas", 1],
      ["subnet[1].cumulative-assigned-nas", 1],
      ["subnet[1].assigned-pds", 1],
      ["cumulative-assigned-pds", 1],
      ["pkt6-reply-sent", 1],
    ] as const
  ) assert.equal(stat(o, name), v, name);
});

Deno.test("a second REQUEST of the same IA gets the same binding back and moves no gauge", () => {
  const bed = new Bed(basic());
  bed.run(msg(T.REQUEST, [iaNa(1)], [sid()]));
  bed.now += 100;
  const o = bed.run(msg(T.REQUEST, [iaNa(1)], [sid()]));
  const { m } = replyOf(o);
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::10");
  assert.equal(stat(o, "subnet[1].assigned-nas"), 0);
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::10"))!.cltt, bed.now);
});

Deno.test("two IA_NAs in one REQUEST get two different addresses", () => {
  const bed = new Bed(basic());
  const { m } = replyOf(bed.run(msg(T.REQUEST, [iaNa(1), iaNa(2)], [sid()])));
  const a = m.ias.map((ia) => text6(ia.addresses[0].address));
  assert.equal(new Set(a).size, 2);
});

Deno.test("exhaustion: NoAddrsAvail / NoPrefixAvail inside the IA, T1=T2=0, allocation-fail counted", () => {
  const bed = new Bed(basic());
  for (let i = 0; i < 3; i++) bed.run(msg(T.REQUEST, [iaNa(1)], [sid()], `00:03:00:01:00:00:00:00:00:0${i}`));
  for (let i = 0; i < 4; i++) bed.run(msg(T.REQUEST, [iaPd(1)], [sid()], `00:03:00:01:00:00:00:00:01:0${i}`));
  const o = bed.run(msg(T.REQUEST, [iaNa(5), iaPd(6)], [sid()]));
  const { m, out } = replyOf(o);
  assert.deepEqual(m.ias[0].status, { code: Status6.NoAddrsAvail, message: "Sorry, no address could be allocated." });
  assert.deepEqual(m.ias[0].addresses, []);
  assert.deepEqual([m.ias[0].t1, m.ias[0].t2], [0, 0]);
  assert.equal(m.ias[1].status?.code, Status6.NoPrefixAvail);
  assert.deepEqual(out.mutations, []);
  assert.equal(stat(o, "v6-allocation-fail"), 2);
  assert.equal(stat(o, "subnet[1].v6-allocation-fail-subnet"), 2);
  // SOLICIT in the same state: an ADVERTISE with the same statuses
  const adv = replyOf(bed.run(msg(T.SOLICIT, [iaNa(5)]))).m;
  assert.equal(adv.msgType, T.ADVERTISE);
  assert.equal(adv.ias[0].status?.code, Status6.NoAddrsAvail);
});

Deno.test("an expired lease of another client is reused; a live one is not", () => {
  const bed = new Bed(basic({}, { pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::10" }] }));
  bed.run(msg(T.REQUEST, [iaNa(1)], [sid()], "00:03:00:01:00:00:00:00:00:01"));
  const busy = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], [sid()]))).m;
  assert.equal(busy.ias[0].status?.code, Status6.NoAddrsAvail);
  bed.now += 4001;
  const o = bed.run(msg(T.REQUEST, [iaNa(1)], [sid()]));
  assert.equal(text6(replyOf(o).m.ias[0].addresses[0].address), "2001:db8:1::10");
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::10"))!.duid, CLIENT_DUID);
  // the expired lease was still counted: it moves out and the new one in (net 0 in the subnet)
  assert.equal(stat(o, "subnet[1].assigned-nas"), 0);
  assert.equal(stat(o, "subnet[1].cumulative-assigned-nas"), 1);
  // and, as Kea 2.2's reuseExpiredLease6, it was reclaimed on the way: counted once, globally and in the subnet
  assert.equal(stat(o, "reclaimed-leases"), 1);
  assert.equal(stat(o, "subnet[1].reclaimed-leases"), 1);
  assert.equal(stat(o, "reclaimed-declined-addresses"), 0);
});

Deno.test("rapid commit: REPLY with RAPID_COMMIT and committed leases only when the subnet allows it", () => {
  const rapid = { code: Opt6.RAPID_COMMIT, data: new Uint8Array(0) };
  const on = new Bed(basic({}, { "rapid-commit": true }));
  const o = on.run(msg(T.SOLICIT, [iaNa(1), iaPd(2)], [rapid]));
  const { m, out } = replyOf(o);
  assert.equal(m.msgType, T.REPLY);
  assert.ok(m.options.some((x) => x.code === Opt6.RAPID_COMMIT));
  assert.equal(out.mutations.length, 2);
  assert.equal(stat(o, "pkt6-reply-sent"), 1);
  assert.equal(stat(o, "subnet[1].assigned-pds"), 1);
  const off = new Bed(basic());
  const o2 = replyOf(off.run(msg(T.SOLICIT, [iaNa(1)], [rapid])));
  assert.equal(o2.m.msgType, T.ADVERTISE);
  assert.ok(!o2.m.options.some((x) => x.code === Opt6.RAPID_COMMIT));
  assert.deepEqual(o2.out.mutations, []);
});

Deno.test("lifetimes: client hints clamped to [min, max]; 0 means the default; preferred ≤ valid", () => {
  const cfg = basic({
    "min-preferred-lifetime": 1000,
    "max-preferred-lifetime": 5000,
    "min-valid-lifetime": 2000,
    "max-valid-lifetime": 6000,
  });
  const cases: [pref: number, valid: number, wantPref: number, wantValid: number][] = [
    [0, 0, 3000, 4000],
    [10, 10, 1000, 2000],
    [99999, 99999, 5000, 6000],
    [4500, 2500, 2500, 2500],
  ];
  for (const [p, v, wp, wv] of cases) {
    const bed = new Bed(cfg);
    const { m } = replyOf(bed.run(msg(T.REQUEST, [iaNa(1, ["::"], p, v)], [sid()])));
    assert.deepEqual([m.ias[0].addresses[0].preferred, m.ias[0].addresses[0].valid], [wp, wv], `${p}/${v}`);
  }
});

Deno.test("explicit renew/rebind timers win over calculation; percentages and calculate-tee-times apply", () => {
  const cases: [Record<string, unknown>, number, number][] = [
    [{ "renew-timer": 100, "rebind-timer": 200 }, 100, 200],
    [{ "calculate-tee-times": false }, 0, 0],
    [{ "t1-percent": 0.25, "t2-percent": 0.5 }, 750, 1500],
  ];
  for (const [extra, t1, t2] of cases) {
    const { m } = replyOf(new Bed(basic(extra)).run(msg(T.REQUEST, [iaNa(1)], [sid()])));
    assert.deepEqual([m.ias[0].t1, m.ias[0].t2], [t1, t2], JSON.stringify(extra));
  }
});

Deno.test("no subnet for the client: the IA says the server could not select one", () => {
  const bed = new Bed(basic());
  bed.arrival = { ...bed.arrival, iface: "eth9" };
  const { m } = replyOf(bed.run(msg(T.SOLICIT, [iaNa(1), iaPd(2)])));
  assert.equal(m.ias[0].status?.code, Status6.NoAddrsAvail);
  assert.equal(m.ias[0].status?.message, "Server could not select subnet for this client");
  assert.equal(m.ias[1].status?.code, Status6.NoPrefixAvail);
});

Deno.test("prefix hint: the delegated length the client asks for picks the matching pd-pool", () => {
  const cfg = basic({}, {
    "pd-pools": [
      { prefix: "2001:db8:8::", "prefix-len": 62, "delegated-len": 64 },
      { prefix: "2001:db8:9::", "prefix-len": 48, "delegated-len": 56 },
    ],
  });
  const { m } = replyOf(new Bed(cfg).run(msg(T.REQUEST, [iaPd(1, ["::/56"])], [sid()])));
  assert.equal(text6(m.ias[0].prefixes[0].prefix), "2001:db8:9::");
  assert.equal(m.ias[0].prefixes[0].prefixLen, 56);
});
