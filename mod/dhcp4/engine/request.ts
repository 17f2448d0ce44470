/**
 * DHCPREQUEST (RFC 2131 §4.3.2): SELECTING, INIT-REBOOT, RENEWING and REBINDING, with Kea's NAK rules
 * (`Dhcpv4Srv::assignLease`): NAK_0001 no subnet, NAK_0002 wrong INIT-REBOOT address, NAK_0004 the address
 * cannot be granted; silence for unknown INIT-REBOOT clients of a non-authoritative server and for addresses
 * outside every pool (DHCP4_UNKNOWN_ADDRESS_REQUESTED).
 */
import { MsgType, Opt } from "../packet.ts";
import type { Subnet4 } from "../../config/model.ts";
import type { Outcome, StatDelta } from "./types.ts";
import { selectSubnet } from "./select_subnet.ts";
import { clientKey, findClientLease } from "./client.ts";
import { isAvailableFor, poolIndexOf } from "./address.ts";
import { chooseAddress } from "./allocate.ts";
import { findReservation } from "./reservation.ts";
import { classifyHost, poolAllowed } from "./classes.ts";
import { grantLease } from "./grant.ts";
import { buildReply } from "./build_reply.ts";
import { destination } from "./destination.ts";
import { readAddr } from "./payload.ts";
import { drop, type Exchange } from "./outcome.ts";
import { formatIpv4 } from "../../wire/addr.ts";

const BROADCAST = 0xffffffff;

/** A NAK outcome (no lease, no mutation) with Kea's NAK log id. */
function nak(
  ex: Exchange,
  subnet: Subnet4 | undefined,
  id: string,
  text: string,
  key?: string,
  extra: StatDelta[] = [],
): Outcome {
  const reply = buildReply(ex.query, ex.ctx, { type: MsgType.NAK, subnet, yiaddr: 0, ciaddr: 0 });
  const out: Outcome = {
    kind: "reply",
    reply,
    dest: destination(ex.query, reply, ex.ctx),
    mutations: [],
    stats: [...ex.received, ...extra, ["pkt4-nak-sent", 1]],
    events: [],
    log: [{ id, text: `${ex.client.label}: ${text}` }],
  };
  if (key !== undefined) out.forgetOffer = key;
  return out;
}

/**
 * Answers a REQUEST with ACK or NAK, or stays silent. INIT-REBOOT is a REQUEST with option 50 and no option 54;
 * a REQUEST with neither ciaddr nor option 50 is ACKed like a fresh allocation (Kea's documented RFC
 * violation). The address asked for (option 50, else ciaddr) is granted when it lies in a pool or is reserved
 * for this client and no other client holds, reserves or was offered it.
 */
export function handleRequest(ex: Exchange): Outcome {
  const { query, ctx, client, received } = ex;
  const opt50 = readAddr(query.options.get(Opt.REQUESTED_ADDRESS));
  const initReboot = !query.options.has(Opt.SERVER_ID) && opt50 !== undefined;
  const hint = opt50 ?? query.ciaddr;
  const hintText = `ciaddr ${formatIpv4(query.ciaddr)}, requested-ip-address ${
    opt50 !== undefined ? formatIpv4(opt50) : "(no address)"
  }`;
  const subnet = selectSubnet(query, ctx.config, ctx.arrival, ex.classes);

  if (!subnet) {
    const bcastRebind = query.ciaddr !== 0 && opt50 === undefined && query.giaddr === 0 &&
      ctx.arrival.dstAddr === BROADCAST;
    // No subnet: the global authoritative flag decides (the compiled model keeps it only in `raw`).
    const raw = ctx.config.raw as { authoritative?: unknown; Dhcp4?: { authoritative?: unknown } };
    const authoritative = (raw.Dhcp4?.authoritative ?? raw.authoritative) === true;
    if (bcastRebind || (initReboot && !authoritative)) {
      return drop("pkt4-receive-drop", received, [{
        id: initReboot ? "DHCP4_NO_LEASE_INIT_REBOOT" : "DHCP4_SUBNET_SELECTION_FAILED",
        text: `${client.label}: no subnet for this client (${hintText}); not answering`,
      }]);
    }
    return nak(
      ex,
      undefined,
      "DHCP4_PACKET_NAK_0001",
      `failed to select a subnet for incoming packet, src ${formatIpv4(ctx.arrival.srcAddr)}, type DHCPREQUEST`,
    );
  }

  const key = clientKey(client, subnet);
  const reservation = findReservation(ctx.config, subnet, client.hwaddr);
  const dropped = classifyHost(ex, reservation);
  if (dropped) return dropped;
  const existing = findClientLease(ctx.leases, client, subnet);

  if (initReboot) {
    const known = existing !== undefined;
    if (!known && !subnet.authoritative) {
      return drop("pkt4-receive-drop", received, [{
        id: "DHCP4_NO_LEASE_INIT_REBOOT",
        text: `${client.label}: client is in INIT-REBOOT state requesting ${formatIpv4(hint)} but has no lease ` +
          `in subnet ${subnet.prefix}; not answering (authoritative is false)`,
      }]);
    }
    if (!known || existing.address !== hint) {
      return nak(
        ex,
        subnet,
        "DHCP4_PACKET_NAK_0002",
        `invalid address ${formatIpv4(hint)} requested by INIT-REBOOT`,
        key,
      );
    }
  }

  let address: number;
  if (hint === 0) {
    const choice = chooseAddress(ex, subnet, key, reservation, existing);
    if (!choice.ok) {
      return nak(ex, subnet, "DHCP4_PACKET_NAK_0004", `failed to grant a lease, ${hintText}`, key, choice.stats);
    }
    address = choice.address;
  } else {
    const mine = subnet.reservedAddresses.get(hint) === client.hwaddr;
    const pi = poolIndexOf(subnet, hint);
    if (!mine && pi >= 0 && !poolAllowed(subnet, pi, ex.classes)) {
      // Kea's allocation engine refuses an address of a pool whose class guard the client fails.
      return nak(
        ex,
        subnet,
        "DHCP4_PACKET_NAK_0004",
        `failed to grant a lease, ${hintText} (pool not allowed for the client's classes)`,
        key,
      );
    }
    if (pi < 0 && !mine) {
      return drop(
        "pkt4-receive-drop",
        received,
        [{
          id: "DHCP4_UNKNOWN_ADDRESS_REQUESTED",
          text:
            `${client.label}: client requested an unknown address, ${hintText}; it is in no pool of subnet ${subnet.prefix}, dropping the request`,
        }],
        [],
        key,
      );
    }
    const reserved = reservation?.ipAddress;
    const reservedElsewhere = reserved !== undefined && reserved !== hint &&
      isAvailableFor(reserved, client, key, subnet, ctx);
    if (reservedElsewhere || !isAvailableFor(hint, client, key, subnet, ctx)) {
      return nak(ex, subnet, "DHCP4_PACKET_NAK_0004", `failed to grant a lease, ${hintText}`, key);
    }
    address = hint;
  }
  return grantLease(ex, subnet, key, reservation, existing, address);
}
