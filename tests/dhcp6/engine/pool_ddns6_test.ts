/**
 * DDNS keys on a DHCPv6 address pool (Kea ≥ 2.7.6; Dhcpv6Srv::checkPostAssignmentChanges): once the first
 * address of the reply's first IA_NA is known, the name and DNS directions are decided again with its pool's
 * parameters (pool → subnet → shared network → global); the reply's option 39, the leases and the
 * NameChangeRequests (TTL included) follow the pool; a pool without DDNS keys keeps its subnet's behaviour.
 */
import assert from "node:assert/strict";
import { parseClientFqdn6 } from "../../../mod/options/client_fqdn6.ts";
import { getOption6 } from "../../../mod/packet6/packet.ts";
import type { Outcome6 } from "../../../mod/dhcp6/engine/types.ts";
import { Bed, big6, hexBytes, iaNa, iaPd, load6, msg, replyOf, sid, T } from "./helpers.ts";

/**
 * A client's option 39 (RFC 4704 §4): code 00 27, length 00 08 — here only the payload: flags 0x01 (S: the
 * server should do the AAAA update), then "laptop" as a partial wire name (06 'l' 'a' 'p' 't' 'o' 'p', no root
 * label).
 */
const FQDN_LAPTOP = { code: 39, data: hexBytes("01:06:6c:61:70:74:6f:70") };

/** Subnet 1: pool A (::10–::11) without DDNS keys, pool B (::20–::21) with its own, pool C (::30) not updating. */
function config(pool: Record<string, unknown> = {}) {
  return load6({
    "preferred-lifetime": 3000,
    "valid-lifetime": 4000,
    "dhcp-ddns": { "enable-updates": true },
    "ddns-send-updates": true,
    "ddns-qualifying-suffix": "global.example.",
    "ddns-ttl": 900,
    "shared-networks": [{
      name: "net",
      "ddns-generated-prefix": "netname",
      subnet6: [{
        id: 1,
        subnet: "2001:db8:1::/64",
        interface: "eth0",
        "ddns-qualifying-suffix": "subnet.example.",
        pools: [
          { pool: "2001:db8:1::10 - 2001:db8:1::11" },
          {
            pool: "2001:db8:1::20 - 2001:db8:1::21",
            "ddns-qualifying-suffix": "pool.example.",
            "ddns-ttl": 300,
            ...pool,
          },
          { pool: "2001:db8:1::30 - 2001:db8:1::30", "ddns-send-updates": false },
        ],
        "pd-pools": [{ prefix: "2001:db8:8::", "prefix-len": 62, "delegated-len": 64 }],
      }],
    }],
  });
}

function fqdnOf(o: Outcome6) {
  const d = getOption6(replyOf(o).m.options, 39);
  return d ? parseClientFqdn6(d) : undefined;
}

Deno.test("pool DDNS keys: compiled on top of the subnet's, a pool without keys has none", () => {
  const c = config();
  const [a, b, c3] = c.subnets[0].pools;
  assert.equal(a.ddns, undefined);
  assert.equal(b.ddns?.qualifyingSuffix, "pool.example.");
  assert.equal(b.ddns?.ttl, 300);
  assert.equal(b.ddns?.generatedPrefix, "netname"); // the shared network's, through the subnet
  assert.equal(c3.ddns?.sendUpdates, false);
  assert.equal(c3.ddns?.qualifyingSuffix, "subnet.example.");
});

Deno.test("REQUEST in a pool with DDNS keys: option 39, lease and NCR take the pool's suffix and TTL", () => {
  const bed = new Bed(config());
  const o = bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::20"])], [sid(), FQDN_LAPTOP]));
  const f = fqdnOf(o)!;
  assert.equal(f.name, "laptop.pool.example.");
  assert.deepEqual(f.flags, { s: true, o: false, n: false });
  const lease = bed.leases.byAddress(big6("2001:db8:1::20"))!;
  assert.equal(lease.hostname, "laptop.pool.example.");
  assert.deepEqual([lease.fqdnFwd, lease.fqdnRev], [true, true]);
  const ncrs = replyOf(o).out.ncrs ?? [];
  assert.equal(ncrs.length, 1);
  assert.equal(ncrs[0].fqdn, "laptop.pool.example.");
  assert.equal(ncrs[0].leaseLength, 300);
});

Deno.test("REQUEST in a pool without DDNS keys: the subnet's suffix and the global TTL", () => {
  const bed = new Bed(config());
  const o = bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::10"])], [sid(), FQDN_LAPTOP]));
  assert.equal(fqdnOf(o)!.name, "laptop.subnet.example.");
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::10"))!.hostname, "laptop.subnet.example.");
  const ncrs = replyOf(o).out.ncrs ?? [];
  assert.deepEqual(ncrs.map((n) => [n.fqdn, n.leaseLength]), [["laptop.subnet.example.", 900]]);
});

Deno.test("a pool with ddns-send-updates false: N set, no DNS directions on the lease, no NCR", () => {
  const bed = new Bed(config());
  const o = bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::30"])], [sid(), FQDN_LAPTOP]));
  const f = fqdnOf(o)!;
  assert.deepEqual(f.flags, { s: false, o: true, n: true });
  const lease = bed.leases.byAddress(big6("2001:db8:1::30"))!;
  assert.deepEqual([lease.fqdnFwd, lease.fqdnRev], [false, false]);
  assert.deepEqual(replyOf(o).out.ncrs ?? [], []);
});

Deno.test("a pool's ddns-replace-client-name when-not-present: a client without option 39 gets a generated name", () => {
  const bed = new Bed(config({ "ddns-replace-client-name": "when-not-present", "ddns-generated-prefix": "pc" }));
  // SOLICIT: the ADVERTISE carries an empty partial name (generated only in a REPLY, as Kea)
  const adv = bed.run(msg(T.SOLICIT, [iaNa(1, ["2001:db8:1::21"])]));
  assert.deepEqual(fqdnOf(adv), { flags: { s: true, o: false, n: false }, name: "", partial: true });
  const o = bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::21"])], [sid()]));
  assert.equal(fqdnOf(o)!.name, "pc-2001-db8-1--21.pool.example.");
  assert.equal(bed.leases.byAddress(big6("2001:db8:1::21"))!.hostname, "pc-2001-db8-1--21.pool.example.");
  assert.deepEqual((replyOf(o).out.ncrs ?? []).map((n) => n.fqdn), ["pc-2001-db8-1--21.pool.example."]);
  // the same client in pool A (no such key there, nor in the subnet): no option 39 at all
  const other = new Bed(config({ "ddns-replace-client-name": "when-not-present" }));
  assert.equal(fqdnOf(other.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::10"])], [sid()]))), undefined);
});

Deno.test("the first IA_NA's pool decides for the whole reply, delegated prefix included", () => {
  const bed = new Bed(config());
  const o = bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::20"]), iaPd(2)], [sid(), FQDN_LAPTOP]));
  const leases = replyOf(o).out.mutations.flatMap((m) => m.op === "put" ? [m.lease] : []);
  assert.equal(leases.length, 2);
  for (const l of leases) assert.equal(l.hostname, "laptop.pool.example.");
});

Deno.test("a RELEASE's remove NCR uses the pool's TTL (Kea's queueNCR, setPoolFromAddress)", () => {
  const bed = new Bed(config());
  bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::20"])], [sid(), FQDN_LAPTOP]));
  const o = bed.run(msg(T.RELEASE, [iaNa(1, ["2001:db8:1::20"], 3000, 4000)], [sid()]));
  const ncrs = replyOf(o).out.ncrs ?? [];
  assert.deepEqual(ncrs.map((n) => [n.changeType, n.fqdn, n.leaseLength]), [["remove", "laptop.pool.example.", 300]]);
});

Deno.test("a pd-pool takes no DDNS key (Kea's grammar neither)", () => {
  assert.throws(
    () =>
      load6({
        subnet6: [{
          id: 1,
          subnet: "2001:db8:1::/64",
          "pd-pools": [{ prefix: "2001:db8:8::", "prefix-len": 62, "delegated-len": 64, "ddns-send-updates": true }],
        }],
      }),
    /pd-pools\[0\]\.ddns-send-updates/,
  );
});
