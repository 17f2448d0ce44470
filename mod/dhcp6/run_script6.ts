/**
 * Kea's `libdhcp_run_script.so` for DHCPv6 (Kea ARM hooks.rst "libdhcp_run_script.so"; Kea 2.2's run_script.cc and
 * run_script_callouts.cc, and where kea-dhcp6 calls each hook point: dhcp6_srv.cc, alloc_engine.cc): the one
 * argument (the hook point's name) and the environment variables of each lease event, named and formatted as
 * Kea 2.2 sets them:
 *   lease6_renew / lease6_rebind (a RENEW / REBIND extending a lease of the client's): QUERY6_*, LEASE6_* (the lease
 *     as extended), PKT6_IA_* (the IA being built for the reply: its IAID and option code, T1 and T2 still 0)
 *   lease6_release, lease6_decline: QUERY6_*, LEASE6_* (the lease as it was before)
 *   leases6_committed (every REQUEST, RENEW, REBIND, RELEASE, DECLINE and rapid-commit SOLICIT): QUERY6_*,
 *     LEASES6_SIZE, LEASES6_AT<i>_* (the leases granted), DELETED_LEASES6_SIZE, DELETED_LEASES6_AT<i>_* (released
 *     leases and the client's leases it no longer has); a DECLINE commits none of either
 *   lease6_expire (reclamation): LEASE6_*, REMOVE_LEASE; lease6_recover (a declined lease back in the pool): LEASE6_*
 * Checked side by side with kea-dhcp6 2.2 and a real dhclient -6 in tests/e2e/run_script6_test.ts. Pure: the edge
 * passes what it knows of the query's arrival; the CLI runs the script (mod/cli/script_runner.ts).
 */
import { MsgType6, Opt6, type Packet6 } from "../packet6/packet.ts";
import { TYPE_NAMES } from "./server6.ts";
import { innermost } from "../packet6/codec.ts";
import { type Lease6, type Lease6Mutation, Lease6Type } from "../lease/types6.ts";
import type { ReclaimEvent6 } from "../lease/reclaim6.ts";
import { formatAddress6 } from "../lease/kv_store6.ts";
import { formatIpv6 } from "../wire/ipv6.ts";
import { toColonHex } from "../wire/addr.ts";
import { leaseStateText, reclaimScriptCalls, type ScriptCall } from "../dhcp4/run_script4.ts";
import type { Lease6Event } from "./engine/types.ts";

/** Where the query arrived, as the edge knows it (Kea's Pkt6 local/remote address, port and interface). */
export interface QueryArrival6 {
  /** 16 bytes: ff02::1:2 or the server's unicast address */
  localAddr: Uint8Array;
  localPort: number;
  /** 16 bytes: the client's or the relay's address */
  remoteAddr: Uint8Array;
  remotePort: number;
  ifaceIndex: number;
  ifaceName: string;
}

/** Lease::typeToText. */
const LEASE_TYPE_TEXT = ["IA_NA", "IA_TA", "IA_PD"];

/** QUERY6_* (RunScriptImpl::extractPkt6). Kea's UDP sockets never see a frame: REMOTE_HWADDR is empty. */
export function queryVars6(env: Record<string, string>, q: Packet6, a: QueryArrival6): void {
  const p = "QUERY6", m = innermost(q);
  // Pkt6::getName: weka's names with Kea's underscore (INFORMATION_REQUEST)
  env[`${p}_TYPE`] = TYPE_NAMES[m.msgType]?.replace("-", "_") ?? "UNKNOWN";
  env[`${p}_TXID`] = String(m.transactionId);
  env[`${p}_LOCAL_ADDR`] = formatIpv6(a.localAddr);
  env[`${p}_LOCAL_PORT`] = String(a.localPort);
  env[`${p}_REMOTE_ADDR`] = formatIpv6(a.remoteAddr);
  env[`${p}_REMOTE_PORT`] = String(a.remotePort);
  env[`${p}_IFACE_INDEX`] = String(a.ifaceIndex);
  env[`${p}_IFACE_NAME`] = a.ifaceName;
  env[`${p}_REMOTE_HWADDR`] = "";
  env[`${p}_REMOTE_HWADDR_TYPE`] = "";
  env[`${p}_PROTO`] = "UDP";
  const cid = m.options.find((o) => o.code === Opt6.CLIENTID)?.data;
  env[`${p}_CLIENT_ID`] = cid ? toColonHex(cid) : "";
}

/** <prefix>_ADDRESS … _TYPE (RunScriptImpl::extractLease6); a lease without a hardware address has both empty. */
export function leaseVars6(env: Record<string, string>, prefix: string, l: Lease6): void {
  env[`${prefix}_ADDRESS`] = formatAddress6(l.address);
  env[`${prefix}_CLTT`] = String(l.cltt);
  env[`${prefix}_HOSTNAME`] = l.hostname;
  env[`${prefix}_HWADDR`] = l.hwaddr;
  env[`${prefix}_HWADDR_TYPE`] = l.hwaddr ? "1" : "";
  env[`${prefix}_STATE`] = leaseStateText(l.state);
  env[`${prefix}_SUBNET_ID`] = String(l.subnetId);
  env[`${prefix}_VALID_LIFETIME`] = String(l.validLifetime);
  env[`${prefix}_DUID`] = l.duid;
  env[`${prefix}_IAID`] = String(l.iaid);
  env[`${prefix}_PREFERRED_LIFETIME`] = String(l.preferredLifetime);
  env[`${prefix}_PREFIX_LEN`] = String(l.prefixLen);
  env[`${prefix}_TYPE`] = LEASE_TYPE_TEXT[l.type] ?? "";
}

function leasesVars6(env: Record<string, string>, prefix: string, list: readonly Lease6[]): void {
  env[`${prefix}_SIZE`] = String(list.length);
  list.forEach((l, i) => leaseVars6(env, `${prefix}_AT${i}`, l));
}

/** What a committed reply gives the script: the query, what changed, and the leases as they were before. */
export interface Committed6 {
  query: Packet6;
  /** the reply's message type (a SOLICIT commits only when answered by a rapid-commit REPLY) */
  replyType: number;
  arrival: QueryArrival6;
  mutations: readonly Lease6Mutation[];
  events: readonly Lease6Event[];
  /** each mutated address's lease before the commit (undefined: there was none) */
  before: ReadonlyMap<bigint, Lease6 | undefined>;
}

/** The query types after which kea-dhcp6 calls leases6_committed (not CONFIRM, INFORMATION-REQUEST, a SOLICIT's
 * ADVERTISE). */
function commits(type: number, replyType: number): boolean {
  return type === MsgType6.REQUEST || type === MsgType6.RENEW || type === MsgType6.REBIND ||
    type === MsgType6.RELEASE || type === MsgType6.DECLINE ||
    (type === MsgType6.SOLICIT && replyType === MsgType6.REPLY);
}

/** The script runs a committed reply fires, in Kea's order (per-lease hook points, then leases6_committed). */
export function committedCalls6(c: Committed6): ScriptCall[] {
  const calls: ScriptCall[] = [];
  const put = new Map<bigint, Lease6>();
  for (const m of c.mutations) if (m.op === "put") put.set(m.lease.address, m.lease);
  const withQuery = (hook: string): ScriptCall => {
    const env: Record<string, string> = {};
    queryVars6(env, c.query, c.arrival);
    return { args: [hook], env };
  };
  const type = innermost(c.query).msgType;
  for (const e of c.events) {
    const lease = put.get(e.address) ?? c.before.get(e.address);
    if (!lease) continue;
    if (e.kind === "renew" && (type === MsgType6.RENEW || type === MsgType6.REBIND)) {
      const call = withQuery(type === MsgType6.RENEW ? "lease6_renew" : "lease6_rebind");
      leaseVars6(call.env, "LEASE6", lease);
      call.env.PKT6_IA_IAID = String(lease.iaid);
      call.env.PKT6_IA_IA_TYPE = String(lease.type === Lease6Type.PD ? Opt6.IA_PD : Opt6.IA_NA);
      call.env.PKT6_IA_IA_T1 = "0";
      call.env.PKT6_IA_IA_T2 = "0";
      calls.push(call);
    } else if (e.kind === "release" || e.kind === "decline") {
      const call = withQuery(`lease6_${e.kind}`);
      leaseVars6(call.env, "LEASE6", c.before.get(e.address) ?? lease);
      calls.push(call);
    }
  }
  if (!commits(type, c.replyType)) return calls;
  // Kea's new_leases_ (a DECLINE and a RELEASE have none) and the old leases of the IAs that are not among them
  const granted = type === MsgType6.RELEASE || type === MsgType6.DECLINE ? [] : c.events
    .filter((e) => e.kind === "alloc" || e.kind === "renew").map((e) => put.get(e.address))
    .filter((l): l is Lease6 => l !== undefined);
  const deleted: Lease6[] = [];
  const gone = (a: bigint) => {
    const l = c.before.get(a);
    if (l && !deleted.includes(l) && !granted.some((g) => g.address === a)) deleted.push(l);
  };
  for (const e of c.events) if (e.kind === "release") gone(e.address);
  if (type !== MsgType6.DECLINE) { for (const m of c.mutations) if (m.op === "del") gone(m.address); }
  const call = withQuery("leases6_committed");
  leasesVars6(call.env, "LEASES6", granted);
  leasesVars6(call.env, "DELETED_LEASES6", deleted);
  calls.push(call);
  return calls;
}

/** lease6_expire for each reclaimed lease, then lease6_recover for a declined one (Kea calls both). */
export function reclaimCalls6(events: readonly ReclaimEvent6[]): ScriptCall[] {
  return reclaimScriptCalls(events, "6", leaseVars6);
}
