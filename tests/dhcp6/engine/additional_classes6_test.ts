/**
 * Kea's class keys beyond `test` through handle6, over configs compiled by the real loader: the newer
 * `client-classes` guard list on subnets and pools (Kea's classify.json), additional classes named by the pd-pool
 * and pool of the granted leases, the subnet and the shared network (evaluated once the leases are chosen, a class
 * without a test joining outright), a reservation's `client-classes`, and template classes.
 */
import assert from "node:assert/strict";
import { getOption6 } from "../../../mod/packet6/packet.ts";
import { Bed, CLIENT_DUID, iaNa, iaPd, load6, msg, oro, replyOf, sid, T, text6 } from "./helpers.ts";

const OTHER = "00:03:00:01:00:00:00:00:00:02";
const name = (d: Uint8Array | undefined) => (d ? new TextDecoder().decode(d.subarray(1, 1 + d[0])) : undefined);
/** domain-search (24) with one label "x" → "x" (enough for these tests) */
const ORO = oro(23, 24, 31);

const CONFIG = {
  "client-classes": [
    { name: "pd-extra", "only-in-additional-list": true, "option-data": [{ name: "domain-search", data: "pd" }] },
    {
      name: "subnet-extra",
      test: "substring(option[1].hex, 0, 2) == 0x0001",
      "only-if-required": true,
      "option-data": [{ name: "sntp-servers", data: "2001:db8::123" }],
    },
    {
      name: "net-extra",
      "only-in-additional-list": true,
      "option-data": [{ name: "dns-servers", data: "2001:db8::53" }],
    },
    { name: "voip", "option-data": [{ name: "dns-servers", data: "2001:db8::5" }] },
  ],
  "shared-networks": [{
    name: "net",
    interface: "eth0",
    "evaluate-additional-classes": ["net-extra"],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      "require-client-classes": ["subnet-extra"],
      pools: [{ pool: "2001:db8:1::10 - 2001:db8:1::1f" }],
      "pd-pools": [{
        prefix: "2001:db8:8::",
        "prefix-len": 56,
        "delegated-len": 60,
        "evaluate-additional-classes": ["pd-extra"],
      }],
      reservations: [{ duid: OTHER, "client-classes": ["voip"] }],
    }],
  }],
};

Deno.test("additional classes (v6): the pd-pool's, subnet's and network's lists apply once leases are granted", () => {
  const c = load6(CONFIG);
  const withPd = replyOf(new Bed(c).run(msg(T.REQUEST, [iaNa(1), iaPd(2)], [sid(), ORO]))).m;
  assert.equal(name(getOption6(withPd.options, 24)), "pd", "the pd-pool of the granted prefix names pd-extra");
  assert.equal(text6(getOption6(withPd.options, 31)!), "2001:db8::123", "subnet-extra's test holds (DUID-LLT)");
  assert.equal(text6(getOption6(withPd.options, 23)!), "2001:db8::53", "net-extra joins outright");
  const naOnly = replyOf(new Bed(c).run(msg(T.REQUEST, [iaNa(1)], [sid(), ORO]))).m;
  assert.equal(getOption6(naOnly.options, 24), undefined, "no prefix granted: the pd-pool's list is not evaluated");
});

Deno.test("host classes (v6): a reservation's client-classes are joined before the reply's options", () => {
  const c = load6(CONFIG);
  const host = replyOf(new Bed(c).run(msg(T.REQUEST, [iaNa(1)], [sid(), ORO], OTHER))).m;
  assert.equal(text6(getOption6(host.options, 23)!), "2001:db8::5", "voip's dns-servers (joined before net-extra)");
  assert.equal(getOption6(host.options, 31), undefined, "subnet-extra's test does not hold for a DUID-LL");
});

Deno.test("client-classes guard lists and template classes (v6)", () => {
  const c = load6({
    "client-classes": [{ name: "vc", "template-test": "substring(option[1].hex, 0, 2)" }],
    subnet6: [{
      id: 1,
      subnet: "2001:db8:1::/64",
      interface: "eth0",
      "client-classes": ["vc"],
      pools: [
        { pool: "2001:db8:1::10 - 2001:db8:1::10", "client-classes": ["SPAWN_vc_\u0000\u0003"] },
        { pool: "2001:db8:1::20 - 2001:db8:1::20" },
      ],
    }],
  });
  const ll = replyOf(new Bed(c).run(msg(T.REQUEST, [iaNa(1)], [sid()], OTHER))).m;
  assert.equal(text6(ll.ias[0].addresses[0].address), "2001:db8:1::10", "DUID-LL spawns SPAWN_vc_\\0\\3");
  const llt = replyOf(new Bed(c).run(msg(T.REQUEST, [iaNa(1)], [sid()], CLIENT_DUID))).m;
  assert.equal(text6(llt.ias[0].addresses[0].address), "2001:db8:1::20");
});
