/**
 * Kea's `libdhcp_run_script.so` for DHCPv4 (Kea ARM hooks.rst "libdhcp_run_script.so"; the hook's run_script.cc and
 * run_script_callouts.cc): which hook points a committed outcome or a reclamation fires, and the one argument
 * (the hook point's name) and environment variables the script gets, named and formatted as Kea 2.2 sets them
 * (checked side by side with kea-dhcp4 2.2 in tests/e2e/run_script_test.ts):
 *   leases4_committed (after a DHCPREQUEST answered with a lease, a DHCPDECLINE or a DHCPRELEASE): QUERY4_*,
 *     LEASES4_SIZE, LEASES4_AT<i>_*, DELETED_LEASES4_SIZE, DELETED_LEASES4_AT<i>_*
 *   lease4_renew (before it, when the client renewed its own lease): QUERY4_*, SUBNET4_*, PKT4_CLIENT_ID,
 *     PKT4_HWADDR(_TYPE), LEASE4_*
 *   lease4_release, lease4_decline: QUERY4_*, LEASE4_*
 *   lease4_expire (reclamation): LEASE4_*, REMOVE_LEASE; lease4_recover (a declined lease back in the pool): LEASE4_*
 * Pure: the edge passes what it knows of the query's arrival; the CLI runs the script (mod/cli/script_runner.ts).
 */
import { hwAddr, MsgType, Opt, type Packet4 } from "../packet4/packet.ts";
import type { Lease4, LeaseMutation } from "../lease/types.ts";
import type { ReclaimEvent } from "../lease/reclaim_plan.ts";
import { formatIpv4, toColonHex } from "../wire/addr.ts";
import type { LeaseEvent } from "./engine/types.ts";

/** One run of the script: its single argument and its whole environment (Kea passes nothing else). */
export interface ScriptCall {
  args: [string];
  env: Record<string, string>;
}

/** Where the query arrived, as the edge knows it. */
export interface QueryArrival4 {
  localAddr: number;
  localPort: number;
  remoteAddr: number;
  remotePort: number;
  ifaceIndex: number;
  ifaceName: string;
  /** the arrival interface's MAC ("" unknown); Kea's LOCAL_HWADDR is the frame's destination (broadcast: ff:…) */
  ifaceMac: string;
}

/** The subnet of a lease, for SUBNET4_*. */
export interface SubnetText {
  id: number;
  /** "198.18.0.0/16" */
  prefix: string;
}

const TYPE_NAME: Record<number, string> = {
  [MsgType.DISCOVER]: "DHCPDISCOVER",
  [MsgType.OFFER]: "DHCPOFFER",
  [MsgType.REQUEST]: "DHCPREQUEST",
  [MsgType.DECLINE]: "DHCPDECLINE",
  [MsgType.ACK]: "DHCPACK",
  [MsgType.NAK]: "DHCPNAK",
  [MsgType.RELEASE]: "DHCPRELEASE",
  [MsgType.INFORM]: "DHCPINFORM",
};

/** Lease::statesToText (both families). */
export function leaseStateText(state: number): string {
  return ["default", "declined", "expired-reclaimed", "released"][state] ?? "default";
}

/** Option::toHexString: "0x" and the data in upper-case hex (no type or length). */
function optionHex(data: Uint8Array): string {
  return "0x" + [...data].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join("");
}

/** The sub-options of option 82 (type, length, data). */
function subOptions(data: Uint8Array): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (let i = 0; i + 2 <= data.length;) {
    const len = data[i + 1];
    if (i + 2 + len > data.length) break;
    if (!out.has(data[i])) out.set(data[i], data.subarray(i + 2, i + 2 + len));
    i += 2 + len;
  }
  return out;
}

/** A hardware address and its type (a declined lease keeps Kea's empty HWAddr: "" with type 1). */
function hw(env: Record<string, string>, prefix: string, mac: string, type?: number): void {
  env[prefix] = mac;
  env[`${prefix}_TYPE`] = String(type ?? 1);
}

/** QUERY4_* (RunScriptImpl::extractPkt4). */
export function queryVars(env: Record<string, string>, q: Packet4, a: QueryArrival4): void {
  const p = "QUERY4";
  env[`${p}_TYPE`] = TYPE_NAME[q.options.get(Opt.MESSAGE_TYPE)?.[0] ?? 0] ?? "BOOTREQUEST";
  env[`${p}_TXID`] = String(q.xid >>> 0);
  env[`${p}_LOCAL_ADDR`] = formatIpv4(a.localAddr);
  env[`${p}_LOCAL_PORT`] = String(a.localPort);
  env[`${p}_REMOTE_ADDR`] = formatIpv4(a.remoteAddr);
  env[`${p}_REMOTE_PORT`] = String(a.remotePort);
  env[`${p}_IFACE_INDEX`] = String(a.ifaceIndex);
  env[`${p}_IFACE_NAME`] = a.ifaceName;
  env[`${p}_HOPS`] = String(q.hops);
  env[`${p}_SECS`] = String(q.secs);
  env[`${p}_FLAGS`] = String(q.flags);
  env[`${p}_CIADDR`] = formatIpv4(q.ciaddr);
  env[`${p}_SIADDR`] = formatIpv4(q.siaddr);
  env[`${p}_YIADDR`] = formatIpv4(q.yiaddr);
  env[`${p}_GIADDR`] = formatIpv4(q.giaddr);
  const relayed = q.giaddr !== 0;
  env[`${p}_RELAYED`] = String(relayed);
  const chaddr = toColonHex(hwAddr(q));
  hw(env, `${p}_HWADDR`, chaddr, q.htype);
  // a direct client's frame: from its own MAC, to broadcast or to this interface (weka's UDP sockets do not see the
  // Ethernet header); a relayed one comes from the relay, whose MAC only a packet socket would show
  const broadcast = a.localAddr === 0xffffffff;
  hw(env, `${p}_LOCAL_HWADDR`, broadcast ? "ff:ff:ff:ff:ff:ff" : a.ifaceMac);
  hw(env, `${p}_REMOTE_HWADDR`, relayed ? "" : chaddr, q.htype);
  const rai = q.options.get(Opt.RELAY_AGENT_INFO);
  if (rai) {
    env[`${p}_OPTION_82`] = optionHex(rai);
    const subs = subOptions(rai);
    for (const code of [1, 2]) {
      const s = subs.get(code);
      if (s) env[`${p}_OPTION_82_SUB_OPTION_${code}`] = optionHex(s);
    }
  }
}

/** <prefix>_ADDRESS … _CLIENT_ID (RunScriptImpl::extractLease4). */
export function leaseVars(env: Record<string, string>, prefix: string, l: Lease4): void {
  env[`${prefix}_ADDRESS`] = formatIpv4(l.address);
  env[`${prefix}_CLTT`] = String(l.cltt);
  env[`${prefix}_HOSTNAME`] = l.hostname;
  hw(env, `${prefix}_HWADDR`, l.hwaddr);
  env[`${prefix}_STATE`] = leaseStateText(l.state);
  env[`${prefix}_SUBNET_ID`] = String(l.subnetId);
  env[`${prefix}_VALID_LIFETIME`] = String(l.validLifetime);
  env[`${prefix}_CLIENT_ID`] = l.clientId;
}

function leasesVars(env: Record<string, string>, prefix: string, list: readonly Lease4[]): void {
  env[`${prefix}_SIZE`] = String(list.length);
  list.forEach((l, i) => leaseVars(env, `${prefix}_AT${i}`, l));
}

/** What a committed outcome gives the script: the query, what changed, and the leases as they were before. */
export interface Committed4 {
  query: Packet4;
  arrival: QueryArrival4;
  mutations: readonly LeaseMutation[];
  events: readonly LeaseEvent[];
  /** each mutated address's lease before the commit (undefined: there was none) */
  before: ReadonlyMap<number, Lease4 | undefined>;
  /** the subnet a lease belongs to */
  subnet(id: number): SubnetText | undefined;
}

/** The script runs a committed outcome fires, in Kea's order. */
export function committedCalls(c: Committed4): ScriptCall[] {
  const calls: ScriptCall[] = [];
  const put = new Map<number, Lease4>();
  for (const m of c.mutations) if (m.op === "put") put.set(m.lease.address, m.lease);
  const withQuery = (hook: string): ScriptCall => {
    const env: Record<string, string> = {};
    queryVars(env, c.query, c.arrival);
    return { args: [hook], env };
  };
  const type = c.query.options.get(Opt.MESSAGE_TYPE)?.[0];
  for (const e of c.events) {
    const lease = put.get(e.address) ?? c.before.get(e.address);
    if (!lease) continue;
    if (e.kind === "renew") {
      const call = withQuery("lease4_renew");
      const s = c.subnet(lease.subnetId);
      call.env.SUBNET4_ID = s ? String(s.id) : "";
      call.env.SUBNET4_NAME = s?.prefix ?? "";
      call.env.SUBNET4_PREFIX = s ? s.prefix.split("/")[0] : "";
      call.env.SUBNET4_PREFIX_LEN = s ? s.prefix.split("/")[1] : "";
      const cid = c.query.options.get(Opt.CLIENT_ID);
      call.env.PKT4_CLIENT_ID = cid ? toColonHex(cid) : "";
      hw(call.env, "PKT4_HWADDR", toColonHex(hwAddr(c.query)), c.query.htype);
      leaseVars(call.env, "LEASE4", lease);
      calls.push(call);
    } else if (e.kind === "release" || e.kind === "decline") {
      // Kea's release and decline callouts see the lease as it was before
      const call = withQuery(`lease4_${e.kind}`);
      leaseVars(call.env, "LEASE4", c.before.get(e.address) ?? lease);
      calls.push(call);
    }
  }
  // leases4_committed after a REQUEST (the granted leases, and any the client's move deleted), a DECLINE (the lease
  // as declined) and a RELEASE (the released lease among the deleted ones), as kea-dhcp4 2.2 calls it
  const granted = c.events.filter((e) => e.kind === "alloc" || e.kind === "renew" || e.kind === "decline")
    .map((e) => put.get(e.address)).filter((l): l is Lease4 => l !== undefined);
  const released = c.events.filter((e) => e.kind === "release").map((e) => c.before.get(e.address))
    .filter((l): l is Lease4 => l !== undefined);
  const committing = type === MsgType.REQUEST || type === MsgType.DECLINE ? granted.length : released.length;
  if (committing && (type === MsgType.REQUEST || type === MsgType.DECLINE || type === MsgType.RELEASE)) {
    const call = withQuery("leases4_committed");
    leasesVars(call.env, "LEASES4", granted);
    const deleted = c.mutations.filter((m) => m.op === "del").map((m) => c.before.get(m.address))
      .filter((l): l is Lease4 => l !== undefined && !released.includes(l));
    leasesVars(call.env, "DELETED_LEASES4", [...released, ...deleted]);
    calls.push(call);
  }
  return calls;
}

/**
 * lease<v>_expire for each reclaimed lease (its variables and REMOVE_LEASE), then lease<v>_recover for a declined
 * one (Kea calls both; run_script_callouts.cc), in either family.
 */
export function reclaimScriptCalls<L>(
  events: readonly { kind: "expired" | "declined-recovered"; lease: L; removed: boolean }[],
  v: "4" | "6",
  vars: (env: Record<string, string>, prefix: string, lease: L) => void,
): ScriptCall[] {
  const calls: ScriptCall[] = [];
  for (const e of events) {
    const expire: ScriptCall = { args: [`lease${v}_expire`], env: {} };
    vars(expire.env, `LEASE${v}`, e.lease);
    expire.env.REMOVE_LEASE = String(e.removed);
    calls.push(expire);
    if (e.kind === "declined-recovered") {
      const recover: ScriptCall = { args: [`lease${v}_recover`], env: {} };
      vars(recover.env, `LEASE${v}`, e.lease);
      calls.push(recover);
    }
  }
  return calls;
}

/** lease4_expire for each reclaimed lease, then lease4_recover for a declined one. */
export function reclaimCalls(events: readonly ReclaimEvent[]): ScriptCall[] {
  return reclaimScriptCalls(events, "4", leaseVars);
}
