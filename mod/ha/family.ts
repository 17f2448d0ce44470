/**
 * What one HA relationship needs to know about its server's family (Kea's HAService is a template over Pkt4 /
 * Pkt6, ha_service.cc; `weka run` with both maps runs one relationship per family, as kea-dhcp4 and kea-dhcp6 each
 * load libdhcp_ha.so): the service name the commands carry, the load-balancing key and client key of a query, how
 * a query says its client has waited (DHCPv4 `secs`, DHCPv6 Elapsed Time), the lease-update commands of a
 * query's durable mutations, the lease synchronisation, and what the HA listener admits from the partner. The
 * state machine, scopes, heartbeats, parking and backlog are family-neutral. DHCPv4's family is here;
 * DHCPv6's is mod/ha/family6.ts.
 */
import { hwAddr, MsgType, Opt, type Packet4 } from "../packet4/packet.ts";
import { clientLabel } from "../packet4/label.ts";
import type { Lease4, LeaseMutation } from "../lease/types.ts";
import { toColonHex } from "../wire/addr.ts";
import { loadBalanceKey } from "./query_filter.ts";
import { secsUnacked } from "./connecting_clients.ts";
import { type UpdateCommand, updateCommands } from "./service_updates.ts";
import { SYNC4, type SyncFamily } from "./sync.ts";

/** See the module comment. `Q` is the query type, `L` the lease type, `M` the store's mutation type. */
export interface HaFamily<Q, L, M> {
  /** the Kea service of every command sent to the partner (`"service": ["dhcp6"]`) */
  service: "dhcp4" | "dhcp6";
  /** the statistics' prefix ("pkt4-not-for-us", "pkt4-receive-drop") */
  pkt: "pkt4" | "pkt6";
  /** the log id of a query left to the partner (HA_BUFFER4_RECEIVE_NOT_FOR_US) */
  notForUsId: string;
  /** the log id of a full parking lot (DHCP4_HOOK_LEASES4_PARKING_LOT_FULL) */
  parkingLotId: string;
  /** the load-balancing key (RFC 3074 hash input), undefined when the query has none */
  lbKey(query: Q): Uint8Array | undefined;
  /** the key of a client for the unacked / rejected bookkeeping */
  clientKey(query: Q): string;
  /** whether the client has waited longer than max-ack-delay (Kea's CommunicationState*::analyzeMessage) */
  unacked(query: Q, maxAckDelayMs: number): boolean;
  /** the client label of log lines */
  label(query: Q): string;
  /** whether the lease changes of this query go to the partner (Kea: DHCPv4 DISCOVER never) */
  replicates(query: Q): boolean;
  /** the commands of one query's durable mutations; `previous` is a deleted lease as it was before the commit */
  updates(mutations: readonly M[], previous: (m: M) => L | undefined): UpdateCommand[];
  sync: SyncFamily<L, M>;
  /** what the HA listener admits from the partner with restrict-commands, besides the HA commands */
  partnerCommands: readonly string[];
}

/** Kea's key of a DHCPv4 client for unacked/rejected bookkeeping: hardware address plus client identifier. */
export function clientKeyOf(q: Packet4): string {
  const cid = q.options.get(Opt.CLIENT_ID);
  return `${toColonHex(hwAddr(q))}|${cid ? toColonHex(cid) : ""}`;
}

/** kea-dhcp4's HA family. */
export const HA_FAMILY4: HaFamily<Packet4, Lease4, LeaseMutation> = {
  service: "dhcp4",
  pkt: "pkt4",
  notForUsId: "HA_BUFFER4_RECEIVE_NOT_FOR_US",
  parkingLotId: "DHCP4_HOOK_LEASES4_PARKING_LOT_FULL",
  lbKey: loadBalanceKey,
  clientKey: clientKeyOf,
  unacked: (q, maxAckDelayMs) => secsUnacked(q.secs, maxAckDelayMs),
  label: clientLabel,
  replicates: (q) => q.options.get(Opt.MESSAGE_TYPE)?.[0] !== MsgType.DISCOVER,
  updates: (mutations) => updateCommands(mutations),
  sync: SYNC4,
  partnerCommands: [
    "lease4-update",
    "lease4-del",
    "lease4-get-page",
    "lease4-get-all",
    "dhcp-disable",
    "dhcp-enable",
    "status-get",
  ],
};
