/**
 * Who the client is (RFC 2131 §4.2, RFC 6842, Kea's `match-client-id`): its hardware address, its client
 * identifier, the key under which offers are remembered, Kea's log label, and which leases are its own.
 */
import { hwAddr, Opt, type Packet4 } from "../../packet4/packet.ts";
import type { Subnet4 } from "../../config/model.ts";
import { type Lease4, LeaseState, type LeaseView } from "../../lease/types.ts";
import { readText } from "./payload.ts";

export interface ClientInfo {
  /** colon-hex chaddr (first hlen bytes), "" when hlen is 0 */
  hwaddr: string;
  /** colon-hex option 61 payload, "" when absent */
  clientId: string;
  /** Kea's packet label: `[hwtype=1 aa:bb:…], cid=[01:…], tid=0x…` */
  label: string;
  /** offer keys precomputed by identifyClient ("hw:<hex>", "cid:<hex>"; see clientKey) */
  hwKey?: string;
  cidKey?: string;
  /** the client's host identifiers as reservation keys, in lookup order (set by reservation.ts clientHostKeys) */
  hostKeys?: string[];
}

/** "00".."ff" by byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => (i < 16 ? "0" : "") + i.toString(16));

/** Lower-case hex of `b`, bytes joined by `sep` (Kea's colon form with ":"). */
function hex(b: Uint8Array, sep: string): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += i ? sep + HEX[b[i]] : HEX[b[i]];
  return s;
}

/**
 * Extracts the client's identity from a query. The label follows Kea's `Pkt4::getLabel()` (hardware type and
 * address, client identifier or "no info", transaction id in hex) so log lines read like Kea's.
 */
export function identifyClient(query: Packet4): ClientInfo {
  const hw = hwAddr(query);
  const cid = query.options.get(Opt.CLIENT_ID);
  const hwaddr = hex(hw, ":");
  const clientId = cid && cid.length > 0 ? hex(cid, ":") : "";
  const hwText = hw.length ? `[hwtype=${query.htype} ${hwaddr}]` : "[no hwaddr info]";
  // the label shows at most 64 bytes of a client identifier (docs/ARCHITECTURE.md rule 8: bounded log lines)
  const cidText = !clientId
    ? "no info"
    : cid!.length > 64
    ? `${hex(cid!.subarray(0, 64), ":")}...(${cid!.length} bytes)`
    : clientId;
  const label = `${hwText}, cid=[${cidText}], tid=0x${query.xid.toString(16)}`;
  return {
    hwaddr,
    clientId,
    label,
    hwKey: "hw:" + hex(hw, ""),
    cidKey: clientId ? "cid:" + hex(cid!, "") : undefined,
  };
}

/**
 * True when the query carries no usable hardware address: hlen 0 or a chaddr whose first hlen bytes are all zero
 * (Kea's `DHCP4_PACKET_DROP_0007` check, together with a missing client identifier).
 */
export function noHwAddr(query: Packet4): boolean {
  const hw = hwAddr(query);
  for (let i = 0; i < hw.length; i++) if (hw[i] !== 0) return false;
  return true;
}

/**
 * The offer key of a client in a subnet: "cid:<hex>" when the client sent option 61 and the subnet matches
 * client ids (Kea's `match-client-id`, default true), else "hw:<hex>".
 */
export function clientKey(client: ClientInfo, subnet: Subnet4): string {
  if (client.clientId && subnet.matchClientId) return client.cidKey ?? "cid:" + client.clientId.replaceAll(":", "");
  return client.hwKey ?? "hw:" + client.hwaddr.replaceAll(":", "");
}

/**
 * True when the lease belongs to this client, as Kea's `Lease4::belongsToClient`: when both sides carry a
 * client identifier (and the subnet matches on it) the identifiers decide; otherwise the hardware addresses do.
 * Declined leases carry no identity and belong to nobody.
 */
export function ownsLease(lease: Lease4, client: ClientInfo, matchClientId: boolean): boolean {
  if (lease.state === LeaseState.DECLINED) return false;
  if (matchClientId && client.clientId && lease.clientId) return lease.clientId === client.clientId;
  return client.hwaddr !== "" && lease.hwaddr === client.hwaddr;
}

/**
 * The client's lease in a subnet (any state, expired or not: Kea's lease affinity). With `match-client-id`
 * the lookup is by client identifier first, then by hardware address; without it by hardware address only.
 * A lease found by hardware address that carries another client identifier is not this client's.
 */
export function findClientLease(view: LeaseView, client: ClientInfo, subnet: Subnet4): Lease4 | undefined {
  const match = subnet.matchClientId;
  if (match && client.clientId) {
    const l = view.byClientId(client.clientId, subnet.id);
    if (l && ownsLease(l, client, match)) return l;
  }
  if (client.hwaddr) {
    const l = view.byHwAddr(client.hwaddr, subnet.id);
    if (l && ownsLease(l, client, match)) return l;
  }
  return undefined;
}

/**
 * The host name to return in option 12 and store in the lease, as Kea's `processHostnameOption` does without
 * DDNS qualification: a reserved hostname wins (sent whether or not the client asked); else the name the client
 * sent in option 12, trimmed and lower-cased; else "".
 */
export function clientHostname(query: Packet4, reservedHostname: string | undefined): string {
  if (reservedHostname) return reservedHostname.toLowerCase();
  return readText(query.options.get(Opt.HOST_NAME)).trim().toLowerCase();
}
