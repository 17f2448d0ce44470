/**
 * kea-dhcp6's HA family (Kea's HAService over Pkt6; query_filter.cc, communication_state.cc, command_creator.cc):
 * load-balancing hashes the client's DUID (the Client Identifier option of the client's message, inside any
 * relay layers) with RFC 3074's hash; a client is unacked when its Elapsed Time (option 8, hundredths of a
 * second) exceeds max-ack-delay; the changes of one query go to the partner as ONE `lease6-bulk-apply` with its
 * deleted leases and its new or changed ones (a declined lease is an update; a deleted one is sent as it was
 * before the commit); the synchronisation pages with `lease6-get-page`. Every command carries
 * `"service": ["dhcp6"]`.
 */
import { getOption6, Opt6, type Packet6 } from "../packet6/packet.ts";
import { innermost } from "../packet6/codec.ts";
import type { Lease6, Lease6Mutation } from "../lease/types6.ts";
import { formatAddress6 } from "../lease/kv_store6.ts";
import type { HaFamily } from "./family.ts";
import type { PeerAnswer } from "./peer_client.ts";
import type { LeaseFailure } from "./service_updates.ts";
import { bulkApplyArgs, lease6FromPartnerJson } from "./lease_updates6.ts";
import type { SyncFamily } from "./sync.ts";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The DUID of a query's client (option 1 of the client's message), or undefined. */
export function duidOf6(q: Packet6): Uint8Array | undefined {
  const d = getOption6(innermost(q).options, Opt6.CLIENTID);
  return d && d.length > 0 ? d : undefined;
}

/** Kea's DHCPv6 label: `duid=[…], tid=0x…` (hex only, cut at 64 bytes). */
function label6(q: Packet6): string {
  const m = innermost(q);
  const d = duidOf6(q);
  const duid = !d ? "no info" : [...d.subarray(0, 64)].map((b) => HEX[b]).join(":") + (d.length > 64 ? "..." : "");
  return `duid=[${duid}], tid=0x${m.transactionId.toString(16)}`;
}

/** CommunicationState6::analyzeMessage: Elapsed Time × 10 ms beyond max-ack-delay. */
function unacked6(q: Packet6, maxAckDelayMs: number): boolean {
  const e = getOption6(innermost(q).options, Opt6.ELAPSED_TIME);
  if (!e || e.length !== 2) return false;
  return ((e[0] << 8) | e[1]) * 10 > maxAckDelayMs;
}

/** The failed-leases / failed-deleted-leases of a lease6-bulk-apply answer (Kea's logFailedLeaseUpdates). */
function bulkFailures(a: PeerAnswer): LeaseFailure[] {
  const out: LeaseFailure[] = [];
  for (const key of ["failed-deleted-leases", "failed-leases"]) {
    const list = a.arguments?.[key];
    if (!Array.isArray(list)) continue;
    for (const f of list.slice(0, 64)) {
      if (f === null || typeof f !== "object") continue;
      const r = f as Record<string, unknown>;
      const what = `${String(r.type ?? "lease").slice(0, 8)} ${String(r["ip-address"] ?? "?").slice(0, 45)}`;
      const why = String(r["error-message"] ?? `result ${r.result}`).slice(0, 160);
      out.push({
        conflict: r.result === 4,
        text: `${key === "failed-leases" ? "the update of" : "the deletion of"} ${what}: ${JSON.stringify(why)}`,
      });
    }
  }
  return out;
}

/** DHCPv6's synchronisation: lease6-get-page, Kea's Lease6 JSON. */
export const SYNC6: SyncFamily<Lease6, Lease6Mutation> = {
  command: "lease6-get-page",
  read: lease6FromPartnerJson,
  key: (l) => l.address,
  text: (l) => formatAddress6(l.address),
  subnetId: (l) => l.subnetId,
  cltt: (l) => l.cltt,
  local: (store, l) => (store as unknown as { byAddress(a: bigint): Lease6 | undefined }).byAddress(l.address),
  put: (lease) => ({ op: "put", lease }),
};

/** kea-dhcp6's HA family. */
export const HA_FAMILY6: HaFamily<Packet6, Lease6, Lease6Mutation> = {
  service: "dhcp6",
  pkt: "pkt6",
  notForUsId: "HA_BUFFER6_RECEIVE_NOT_FOR_US",
  parkingLotId: "DHCP6_HOOK_LEASES6_PARKING_LOT_FULL",
  lbKey: duidOf6,
  clientKey: (q) => {
    const d = duidOf6(q);
    return d ? [...d].map((b) => HEX[b]).join(":") : "";
  },
  unacked: unacked6,
  label: label6,
  replicates: () => true,
  updates(mutations, previous) {
    const leases: Lease6[] = [];
    const deleted: Lease6[] = [];
    for (const m of mutations) {
      if (m.op === "put") leases.push(m.lease);
      else {
        const was = previous(m);
        if (was) deleted.push(was);
      }
    }
    if (!leases.length && !deleted.length) return [];
    return [{
      command: "lease6-bulk-apply",
      args: bulkApplyArgs(leases, deleted),
      alsoOk: [3],
      failures: bulkFailures,
    }];
  },
  sync: SYNC6,
  partnerCommands: [
    "lease6-bulk-apply",
    "lease6-update",
    "lease6-del",
    "lease6-get-page",
    "lease6-get-all",
    "dhcp-disable",
    "dhcp-enable",
    "status-get",
  ],
};
