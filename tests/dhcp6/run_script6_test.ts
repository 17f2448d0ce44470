/**
 * libdhcp_run_script.so for DHCPv6: the DHCPv6 server edge (mod/dhcp6/server6.ts) with the lease hooks of
 * mod/cli/dhcp6_hooks.ts running a real recording script (clean environment, as Kea's ProcessSpawn) while a relayed
 * client (the annotated RELAYED_SOLICIT of fixtures6.ts) takes, renews, rebinds, declines and releases addresses;
 * then the reclaimer's events. Each call's argument and variables are those kea-dhcp6 2.2's hook sets (Kea 2.2
 * run_script.cc extractPkt6 / extractLease6 / extractOptionIA / extractLeases6; dhcp6_srv.cc and alloc_engine.cc
 * for which hook point fires when).
 */
import assert from "node:assert/strict";
import { Dhcp6Server } from "../../mod/dhcp6/server6.ts";
import { decode6, encode6 } from "../../mod/packet6/codec.ts";
import { MsgType6, Opt6 } from "../../mod/packet6/packet.ts";
import { KvLease6Store } from "../../mod/lease/kv_store6.ts";
import { type Lease6, Lease6Type } from "../../mod/lease/types6.ts";
import { LeaseState } from "../../mod/lease/types.ts";
import { IterativeAllocator6 } from "../../mod/dhcp6/engine/allocator6.ts";
import { Stats } from "../../mod/stats/stats.ts";
import { nullLog } from "../../mod/log/logger.ts";
import type { Datagram6 } from "../../mod/net/udp6.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { openLeaseHooks6 } from "../../mod/cli/dhcp6_hooks.ts";
import { reclaimCalls6 } from "../../mod/dhcp6/run_script6.ts";
import { FakeTransport6, hex, inner, RELAYED_SOLICIT } from "./fixtures6.ts";

const SERVER_DUID = hex("0002000009bf0102");
const RELAY = parseIpv6("2001:db8:1::1")!;
const NOW = 1_800_000_000;
const CLIENT_DUID = "00:01:00:01:2a:00:00:01:52:54:00:aa:bb:cc";

function config(script: string) {
  const r = parseConfigText(
    JSON.stringify({
      Dhcp6: {
        "preferred-lifetime": 3000,
        "valid-lifetime": 4000,
        "hooks-libraries": [{ library: "/usr/lib/kea/hooks/libdhcp_run_script.so", parameters: { name: script } }],
        subnet6: [{ id: 1, subnet: "2001:db8:1::/64", pools: [{ pool: "2001:db8:1::100 - 2001:db8:1::1ff" }] }],
      },
    }),
    "t.json",
    () => {
      throw new Error("no includes");
    },
  );
  assert.ok(r.dhcp6);
  return r.dhcp6;
}

/** The relayed SOLICIT's client message turned into `type` for `address` (with our server id when `sid`). */
function relayed(type: number, address: Uint8Array, sid: boolean, txid: number): Uint8Array {
  const q = decode6(RELAYED_SOLICIT);
  const m = inner(q);
  m.msgType = type;
  m.transactionId = txid;
  if (sid) m.options.push({ code: Opt6.SERVERID, data: SERVER_DUID });
  m.ias[0].addresses.push({ address, preferred: 0, valid: 0, options: [] });
  delete m.layout;
  delete m.ias[0].layout;
  return encode6(q);
}

interface Call {
  hook: string;
  env: Record<string, string>;
}

/** Waits until `n` script runs have written their record, and takes them (by hook name order of Kea's calls). */
async function take(dir: string, n: number): Promise<Call[]> {
  for (let i = 0; i < 200; i++) {
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).filter((x) => !x.endsWith(".tmp"));
    if (names.length >= n) {
      await new Promise((r) => setTimeout(r, 50)); // none more arrives
      const all = [...Deno.readDirSync(dir)].map((e) => e.name).filter((x) => !x.endsWith(".tmp"));
      const calls = all.map((f) => {
        const [hook, ...lines] = Deno.readTextFileSync(`${dir}/${f}`).trim().split("\n");
        Deno.removeSync(`${dir}/${f}`);
        const env: Record<string, string> = {};
        for (const l of lines) {
          const eq = l.indexOf("=");
          if (eq > 0 && !/^(PWD|SHLVL|_)=/.test(l)) env[l.slice(0, eq)] = l.slice(eq + 1);
        }
        return { hook, env };
      });
      return calls.sort((a, b) => a.hook.localeCompare(b.hook));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`fewer than ${n} script runs recorded`);
}

const QUERY_BASE = {
  QUERY6_LOCAL_ADDR: "2001:db8:1::2",
  QUERY6_LOCAL_PORT: "0", // Kea 2.2 never sets it on a received DHCPv6 query
  QUERY6_REMOTE_ADDR: "2001:db8:1::1",
  QUERY6_REMOTE_PORT: "547",
  QUERY6_IFACE_INDEX: "2",
  QUERY6_IFACE_NAME: "eth6",
  QUERY6_REMOTE_HWADDR: "",
  QUERY6_REMOTE_HWADDR_TYPE: "",
  QUERY6_PROTO: "UDP",
  QUERY6_CLIENT_ID: CLIENT_DUID,
};

function leaseEnv(prefix: string, address: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    [`${prefix}_ADDRESS`]: address,
    [`${prefix}_CLTT`]: String(NOW),
    [`${prefix}_HOSTNAME`]: "",
    [`${prefix}_STATE`]: "default",
    [`${prefix}_SUBNET_ID`]: "1",
    [`${prefix}_VALID_LIFETIME`]: "4000",
    [`${prefix}_DUID`]: CLIENT_DUID,
    [`${prefix}_IAID`]: "1",
    [`${prefix}_PREFERRED_LIFETIME`]: "3000",
    [`${prefix}_PREFIX_LEN`]: "128",
    [`${prefix}_TYPE`]: "IA_NA",
    ...extra,
  };
}

/** The variables of `call` that `want` names (HWADDR is checked apart: weka derives it from the DUID). */
function pick(call: Call, want: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(want).map((k) => [k, call.env[k]]));
}

Deno.test("run_script6: REQUEST, RENEW, REBIND, DECLINE and RELEASE run the script with Kea's DHCPv6 variables", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "weka-rs6-" });
  const out = `${dir}/out`;
  Deno.mkdirSync(out);
  const script = `${dir}/record.sh`;
  Deno.writeTextFileSync(
    script,
    `#!/bin/sh\n{ echo "$1"; /usr/bin/env; } > ${out}/call.$$.tmp && /bin/mv ${out}/call.$$.tmp ${out}/call.$$\n`,
  );
  Deno.chmodSync(script, 0o755);
  const kv = await KvLease6Store.open(":memory:");
  const hooks = openLeaseHooks6(config(script), nullLog);
  const transport = new FakeTransport6();
  const server = new Dhcp6Server({
    config: config(script),
    transport,
    store: kv,
    allocator: new IterativeAllocator6(),
    stats: new Stats(),
    log: nullLog,
    serverDuid: SERVER_DUID,
    ifaceAddrs: new Map(),
    clock: () => NOW * 1000,
    leaseHooks: hooks,
  });
  const dgram = (data: Uint8Array): Datagram6 => ({
    data,
    iface: "eth6",
    srcAddr: RELAY,
    srcPort: 547,
    dstAddr: parseIpv6("2001:db8:1::2")!,
    ifindex: 2,
    via: 0,
  });
  try {
    // SOLICIT → ADVERTISE: nothing committed, no script run (Kea's fake allocation)
    server.process(dgram(RELAYED_SOLICIT), NOW);
    const offered = inner(decode6(transport.sent[0].data)).ias[0].addresses[0].address;
    const addr = formatIpv6(offered);
    // REQUEST: leases6_committed with the granted lease
    server.process(dgram(relayed(MsgType6.REQUEST, offered, true, 0x000101)), NOW);
    let calls = await take(out, 1);
    assert.deepEqual(calls.map((c) => c.hook), ["leases6_committed"], "the SOLICIT ran nothing");
    const committed = { ...QUERY_BASE, QUERY6_TYPE: "REQUEST", QUERY6_TXID: String(0x000101) };
    const req = {
      ...committed,
      LEASES6_SIZE: "1",
      ...leaseEnv("LEASES6_AT0", addr),
      DELETED_LEASES6_SIZE: "0",
    };
    assert.deepEqual(pick(calls[0], req), req);
    assert.equal(calls[0].env.PATH, undefined, "nothing but Kea's variables");

    // RENEW: lease6_renew (the extended lease, the reply's IA with T1/T2 not yet set), then leases6_committed
    server.process(dgram(relayed(MsgType6.RENEW, offered, true, 0x000202)), NOW);
    calls = await take(out, 2);
    assert.deepEqual(calls.map((c) => c.hook), ["lease6_renew", "leases6_committed"]);
    const renew = {
      ...QUERY_BASE,
      QUERY6_TYPE: "RENEW",
      QUERY6_TXID: String(0x000202),
      ...leaseEnv("LEASE6", addr),
      PKT6_IA_IAID: "1",
      PKT6_IA_IA_TYPE: "3",
      PKT6_IA_IA_T1: "0",
      PKT6_IA_IA_T2: "0",
    };
    assert.deepEqual(pick(calls[0], renew), renew);
    assert.deepEqual(
      Object.keys(calls[0].env).sort(),
      [...Object.keys(renew), "LEASE6_HWADDR", "LEASE6_HWADDR_TYPE"].sort(),
      "exactly the variables Kea's lease6_renew callout sets",
    );
    assert.equal(calls[1].env.LEASES6_SIZE, "1");
    assert.equal(calls[1].env.LEASES6_AT0_ADDRESS, addr);
    assert.equal(calls[1].env.QUERY6_TYPE, "RENEW");

    // REBIND (no server id): lease6_rebind
    server.process(dgram(relayed(MsgType6.REBIND, offered, false, 0x000303)), NOW);
    calls = await take(out, 2);
    assert.deepEqual(calls.map((c) => c.hook), ["lease6_rebind", "leases6_committed"]);
    assert.equal(calls[0].env.QUERY6_TYPE, "REBIND");
    assert.equal(calls[0].env.LEASE6_ADDRESS, addr);
    assert.equal(calls[0].env.PKT6_IA_IA_TYPE, "3");

    // RELEASE: lease6_release (the lease as it was), then leases6_committed with it among the deleted ones
    server.process(dgram(relayed(MsgType6.RELEASE, offered, true, 0x000404)), NOW);
    calls = await take(out, 2);
    assert.deepEqual(calls.map((c) => c.hook), ["lease6_release", "leases6_committed"]);
    const rel = { ...QUERY_BASE, QUERY6_TYPE: "RELEASE", QUERY6_TXID: String(0x000404), ...leaseEnv("LEASE6", addr) };
    assert.deepEqual(pick(calls[0], rel), rel);
    const relc = {
      ...QUERY_BASE,
      QUERY6_TYPE: "RELEASE",
      LEASES6_SIZE: "0",
      DELETED_LEASES6_SIZE: "1",
      ...leaseEnv("DELETED_LEASES6_AT0", addr),
    };
    assert.deepEqual(pick(calls[1], relc), relc);

    // a new lease, then DECLINE: lease6_decline (the lease before), leases6_committed with none of either
    server.process(dgram(relayed(MsgType6.REQUEST, offered, true, 0x000505)), NOW);
    await take(out, 1);
    server.process(dgram(relayed(MsgType6.DECLINE, offered, true, 0x000606)), NOW);
    calls = await take(out, 2);
    assert.deepEqual(calls.map((c) => c.hook), ["lease6_decline", "leases6_committed"]);
    const dec = { ...QUERY_BASE, QUERY6_TYPE: "DECLINE", ...leaseEnv("LEASE6", addr) };
    assert.deepEqual(pick(calls[0], dec), dec);
    assert.deepEqual(pick(calls[1], { LEASES6_SIZE: "0", DELETED_LEASES6_SIZE: "0" }), {
      LEASES6_SIZE: "0",
      DELETED_LEASES6_SIZE: "0",
    });
    await server.stop();
  } finally {
    await hooks.close();
    await kv.close();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("run_script6: reclamation runs lease6_expire with REMOVE_LEASE, and lease6_recover for a declined lease", () => {
  const lease: Lease6 = {
    address: 0x20010db8000100000000000000000123n,
    prefixLen: 56,
    type: Lease6Type.PD,
    duid: CLIENT_DUID,
    iaid: 7,
    preferredLifetime: 3000,
    validLifetime: 4000,
    cltt: NOW,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "h.example.org",
    hwaddr: "52:54:00:aa:bb:cc",
    state: LeaseState.DEFAULT,
  };
  const calls = reclaimCalls6([
    { kind: "expired", lease, removed: false },
    { kind: "declined-recovered", lease: { ...lease, state: LeaseState.DECLINED, hwaddr: "" }, removed: true },
  ]);
  assert.deepEqual(calls.map((c) => c.args), [["lease6_expire"], ["lease6_expire"], ["lease6_recover"]]);
  assert.deepEqual(calls[0].env, {
    LEASE6_ADDRESS: "2001:db8:1::123",
    LEASE6_CLTT: String(NOW),
    LEASE6_HOSTNAME: "h.example.org",
    LEASE6_HWADDR: "52:54:00:aa:bb:cc",
    LEASE6_HWADDR_TYPE: "1",
    LEASE6_STATE: "default",
    LEASE6_SUBNET_ID: "1",
    LEASE6_VALID_LIFETIME: "4000",
    LEASE6_DUID: CLIENT_DUID,
    LEASE6_IAID: "7",
    LEASE6_PREFERRED_LIFETIME: "3000",
    LEASE6_PREFIX_LEN: "56",
    LEASE6_TYPE: "IA_PD",
    REMOVE_LEASE: "false",
  });
  assert.equal(calls[1].env.REMOVE_LEASE, "true");
  assert.equal(calls[1].env.LEASE6_STATE, "declined");
  assert.equal(calls[1].env.LEASE6_HWADDR, "", "Kea: no hardware address, both variables empty");
  assert.equal(calls[1].env.LEASE6_HWADDR_TYPE, "");
  assert.equal(calls[2].env.REMOVE_LEASE, undefined);
});
