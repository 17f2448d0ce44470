/**
 * The HA query filter (mod/ha/query_filter.ts): the RFC 3074 §6 hash with its mixing table, Kea's key choice
 * (client identifier, else chaddr), the load-balancing split, hot-standby's single scope, and scope serving.
 * RFC 3074 publishes no test vectors, so the hash cases are computed by hand with each table lookup shown.
 */
import assert from "node:assert/strict";
import type { Packet4 } from "../../mod/packet4/packet.ts";
import { loadBalanceKey, pearsonHash, QueryFilter, RFC3074_MIXING_TABLE as T } from "../../mod/ha/query_filter.ts";
import type { HaConfig, HaMode, HaPeer } from "../../mod/config/model_ha.ts";
import { query4 } from "./builders.ts";

/** A DHCPDISCOVER with the given hardware address and, optionally, a client identifier (option 61). */
function query(mac: number[], clientId?: number[]): Packet4 {
  const options = new Map<number, Uint8Array>([[53, new Uint8Array([1])]]);
  if (clientId) options.set(61, new Uint8Array(clientId));
  return query4(new Uint8Array(mac), options);
}

function config(mode: HaMode, me: string, roles: [string, HaPeer["role"]][]): HaConfig {
  return {
    thisServerName: me,
    mode,
    heartbeatDelayMs: 10000,
    maxResponseDelayMs: 60000,
    maxAckDelayMs: 10000,
    maxUnackedClients: 10,
    maxRejectedLeaseUpdates: 10,
    delayedUpdatesLimit: 0,
    sendLeaseUpdates: true,
    syncLeases: true,
    syncTimeoutMs: 60000,
    syncPageLimit: 10000,
    waitBackupAck: false,
    peers: roles.map(([name, role], i) => ({ name, url: `http://192.0.2.${i + 1}:8000/`, role, autoFailover: true })),
    pauses: new Map(),
  };
}
// the secondary is listed first on purpose: the filter orders by role, not by configuration order
const LB: [string, HaPeer["role"]][] = [["server2", "secondary"], ["server1", "primary"], ["server3", "backup"]];
const HS: [string, HaPeer["role"]][] = [["server1", "primary"], ["server2", "standby"], ["server3", "backup"]];

Deno.test("rfc 3074 mixing table: 256 distinct bytes, first and last as published", () => {
  assert.equal(T.length, 256);
  assert.equal(new Set(T).size, 256);
  assert.deepEqual([T[0], T[1], T[2], T[255]], [251, 175, 119, 151]);
});

Deno.test("pearson hash: hand-computed cases (seed = length, bytes last to first)", () => {
  assert.equal(pearsonHash(new Uint8Array([])), 0); // seed 0, no bytes
  assert.equal(pearsonHash(new Uint8Array([0x01])), 251); // T[1^0x01=0]=251
  // T[2^0xff=253]=169, T[169^0x00=169]=2
  assert.equal(pearsonHash(new Uint8Array([0x00, 0xff])), 2);
  // 11:22:33:44:55:66: T[6^0x66=96]=20, T[20^0x55=65]=91, T[91^0x44=31]=223, T[223^0x33=236]=7,
  // T[7^0x22=37]=166, T[166^0x11=183]=66
  assert.equal(pearsonHash(new Uint8Array([0x11, 0x22, 0x33, 0x44, 0x55, 0x66])), 66);
  // 00:0c:29:12:34:56: T[6^0x56=80]=207, T[207^0x34=251]=68, T[68^0x12=86]=126, T[126^0x29=87]=249,
  // T[249^0x0c=245]=133, T[133^0x00=133]=201
  assert.equal(pearsonHash(new Uint8Array([0x00, 0x0c, 0x29, 0x12, 0x34, 0x56])), 201);
  // client-id 01:00:0c:29:12:34:56: T[7^0x56=81]=9, T[9^0x34=61]=23, T[23^0x12=5]=14, T[14^0x29=39]=196,
  // T[196^0x0c=200]=92, T[92^0x00=92]=193, T[193^0x01=192]=56
  assert.equal(pearsonHash(new Uint8Array([0x01, 0x00, 0x0c, 0x29, 0x12, 0x34, 0x56])), 56);
});

Deno.test("load-balancing key: option 61 payload when present, else chaddr (hlen bytes), else none", () => {
  const mac = [0x00, 0x0c, 0x29, 0x12, 0x34, 0x56];
  assert.deepEqual(loadBalanceKey(query(mac)), new Uint8Array(mac));
  assert.deepEqual(loadBalanceKey(query(mac, [1, ...mac])), new Uint8Array([1, ...mac]));
  assert.deepEqual(loadBalanceKey(query(mac, [])), new Uint8Array(mac), "an empty client-id falls back to chaddr");
  assert.equal(loadBalanceKey(query([])), undefined);
});

Deno.test("load-balancing: hash % 2 picks primary (even) or secondary (odd); HA class follows", () => {
  const f = new QueryFilter(config("load-balancing", "server1", LB));
  const mac = [0x00, 0x0c, 0x29, 0x12, 0x34, 0x56]; // hash 201: odd → secondary
  assert.equal(f.scopeOf(query(mac)), "server2");
  assert.equal(f.haClassOf(query(mac)), "HA_server2");
  assert.equal(f.inScope(query(mac)), false);
  // same chaddr, client-id 01:…: hash 56, even → primary; the client-id wins over chaddr
  assert.equal(f.scopeOf(query(mac, [1, ...mac])), "server1");
  assert.equal(f.inScope(query(mac, [1, ...mac])), true);
  assert.equal(f.scopeOf(query([0x11, 0x22, 0x33, 0x44, 0x55, 0x66])), "server1"); // hash 66
  // no client-id and hlen 0: no key, no scope, never in scope, even when every scope is served
  f.serveScopes(f.allScopes());
  assert.equal(f.scopeOf(query([])), undefined);
  assert.equal(f.haClassOf(query([])), undefined);
  assert.equal(f.inScope(query([])), false);
});

Deno.test("load-balancing: 10 000 random MACs split roughly 50/50 and the two servers agree", () => {
  const one = new QueryFilter(config("load-balancing", "server1", LB));
  const two = new QueryFilter(config("load-balancing", "server2", LB));
  let mine = 0;
  for (let i = 0; i < 10_000; i++) {
    const mac = [...crypto.getRandomValues(new Uint8Array(6))];
    const a = one.inScope(query(mac)), b = two.inScope(query(mac));
    assert.notEqual(a, b, "each query is served by exactly one of the two");
    if (a) mine++;
  }
  assert.ok(mine > 4500 && mine < 5500, `server1 got ${mine} of 10000`);
});

Deno.test("load-balancing scopes: default = own, failover = both, a backup serves none", () => {
  const p = new QueryFilter(config("load-balancing", "server1", LB));
  assert.deepEqual(p.defaultScopes(), ["server1"]);
  assert.deepEqual(p.servedScopes(), ["server1"]);
  assert.deepEqual(p.allScopes(), ["server1", "server2"]);
  assert.deepEqual(new QueryFilter(config("load-balancing", "server2", LB)).servedScopes(), ["server2"]);
  const b = new QueryFilter(config("load-balancing", "server3", LB));
  assert.deepEqual(b.servedScopes(), []);
  b.serveScopes(b.allScopes());
  assert.deepEqual(b.servedScopes(), ["server1", "server2"], "primary first, whatever the order given");
});

Deno.test("hot-standby: every query is in the primary's scope; the standby serves it only on failover", () => {
  const mac = [0x00, 0x0c, 0x29, 0x12, 0x34, 0x56]; // odd hash: would be the secondary's in load-balancing
  const primary = new QueryFilter(config("hot-standby", "server1", HS));
  const standby = new QueryFilter(config("hot-standby", "server2", HS));
  assert.equal(primary.scopeOf(query(mac)), "server1");
  assert.equal(standby.haClassOf(query(mac)), "HA_server1");
  assert.deepEqual(primary.defaultScopes(), ["server1"]);
  assert.deepEqual(standby.defaultScopes(), []);
  assert.equal(primary.inScope(query(mac)), true);
  assert.equal(standby.inScope(query(mac)), false);
  assert.deepEqual(standby.allScopes(), ["server1"]);
  standby.serveScopes(standby.allScopes());
  assert.equal(standby.inScope(query(mac)), true);
  // Kea does not hash in hot-standby: a query without any key still falls in the primary's scope
  assert.equal(primary.scopeOf(query([])), "server1");
});

Deno.test("serveScopes: unknown names are refused and change nothing; [] serves nothing", () => {
  const f = new QueryFilter(config("load-balancing", "server1", LB));
  assert.throws(
    () => f.serveScopes(["server1", "HA_server2"]),
    /invalid server name specified 'HA_server2' while enabling\/disabling DHCP service/,
  );
  assert.deepEqual(f.servedScopes(), ["server1"]);
  f.serveScopes([]);
  assert.deepEqual(f.servedScopes(), []);
  assert.equal(f.inScope(query([0x11, 0x22, 0x33, 0x44, 0x55, 0x66])), false);
});
