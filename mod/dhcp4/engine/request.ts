/**
 * DHCPREQUEST (RFC 2131 §4.3.2): SELECTING, INIT-REBOOT, RENEWING and REBINDING, with Kea's NAK rules
 * (`Dhcpv4Srv::assignLease`), as kea-dhcp4 2.2 logged them in tests/e2e/request_rules_test.ts:
 * - no subnet: DHCP4_PACKET_DROP_0002 (silence) for a direct broadcast, else DHCP4_PACKET_NAK_0001;
 * - INIT-REBOOT without a lease of the client: DHCP4_NO_LEASE_INIT_REBOOT (silence) unless the subnet is
 *   authoritative, then DHCP4_PACKET_NAK_0002, as for a known client asking for another address;
 * - SELECTING / RENEWING / REBINDING for an address in no pool of the subnet and not reserved for the client
 *   (in the subnet or outside every subnet): DHCP4_UNKNOWN_ADDRESS_REQUESTED (silence), `authoritative` or not;
 * - an address in a pool that another client holds: DHCP4_PACKET_NAK_0004; a free pool address: ACK, even in
 *   RENEWING with no lease (DHCP4_LEASE_ALLOC).
 */
import { MsgType, Opt } from "../../packet4/packet.ts";
import type { Subnet4 } from "../../config/model.ts";
import type { Outcome, StatDelta } from "./types.ts";
import { selectSubnet } from "./select_subnet.ts";
import { isAvailableFor, poolIndexOf } from "./address.ts";
import { chooseAddress } from "./allocate.ts";
import { poolAllowed } from "./classes.ts";
import { placeClient, servedFrom, subnetForAddress } from "./shared_network.ts";
import { isReservedFor } from "./reservation.ts";
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
 * for this client and no other client holds or reserves it. An address only offered to another client is granted
 * (Kea 2.2 stores nothing at OFFER), unless that offer holds it (`offer-lifetime`, Kea 2.6: a lease at OFFER).
 */
export function handleRequest(ex: Exchange): Outcome {
  const { query, ctx, client, received } = ex;
  const opt50 = readAddr(query.options.get(Opt.REQUESTED_ADDRESS));
  const initReboot = !query.options.has(Opt.SERVER_ID) && opt50 !== undefined;
  const hint = opt50 ?? query.ciaddr;
  const hintText = `ciaddr ${formatIpv4(query.ciaddr)}, requested-ip-address ${
    opt50 !== undefined ? formatIpv4(opt50) : "(no address)"
  }`;
  const selected = selectSubnet(query, ctx.config, ctx.arrival, ex.classes);

  if (!selected) {
    // Measured against kea-dhcp4 2.2 (tests/e2e/request_rules_test.ts): a direct client broadcasting on a link
    // with no subnet is dropped before any state logic (Kea's acceptDirectRequest, DHCP4_PACKET_DROP_0002 "no
    // suitable subnet configured for a direct client"), whatever its state and `authoritative`; every other
    // REQUEST without a subnet (relayed, or unicast) is NAKed (DHCP4_PACKET_NAK_0001), INIT-REBOOT included and
    // `authoritative` notwithstanding, since Kea's assignLease NAKs before it looks at the client's state.
    if (query.giaddr === 0 && ctx.arrival.dstAddr === BROADCAST) {
      return drop("pkt4-receive-drop", received, [{
        id: "DHCP4_PACKET_DROP_0002",
        text: `${client.label}: no suitable subnet configured for a direct client (${hintText}); not answering`,
      }]);
    }
    return nak(
      ex,
      undefined,
      "DHCP4_PACKET_NAK_0001",
      `failed to select a subnet for incoming packet, src ${formatIpv4(ctx.arrival.srcAddr)}, type DHCPREQUEST`,
    );
  }

  const placed = placeClient(ex, selected);
  if ("kind" in placed) return placed;
  const existing = placed.existing;

  if (initReboot) {
    // The client's lease counts in any subnet of the selected subnet's shared network (Kea walks the network).
    const known = existing !== undefined;
    if (!known && !selected.authoritative) {
      // Kea 2.2 logs DHCP4_INIT_REBOOT then DHCP4_NO_LEASE_INIT_REBOOT and sends nothing.
      return drop("pkt4-receive-drop", received, [{
        id: "DHCP4_NO_LEASE_INIT_REBOOT",
        text: `${client.label}: client is in INIT-REBOOT state requesting ${formatIpv4(hint)} but has no lease ` +
          `in subnet ${selected.prefix}; not answering (authoritative is false)`,
      }]);
    }
    if (!known || existing.address !== hint) {
      return nak(
        ex,
        placed.subnet,
        "DHCP4_PACKET_NAK_0002",
        `invalid address ${formatIpv4(hint)} requested by INIT-REBOOT`,
        placed.key,
      );
    }
  }

  if (hint === 0) {
    const choice = chooseAddress(ex, placed.subnet, placed.key, placed.reservation, existing, placed.candidates);
    if (!choice.ok) {
      const why = `failed to grant a lease, ${hintText}`;
      return nak(ex, placed.subnet, "DHCP4_PACKET_NAK_0004", why, placed.key, choice.stats);
    }
    const served = servedFrom(ex, placed, choice.subnet);
    return grantLease(ex, served.subnet, served.key, served.reservation, existing, choice.address);
  }
  // The address asked for may lie in any subnet of the network: that subnet serves it (Kea's inAllowedPool).
  const owner = subnetForAddress(ex, placed, hint, (s, a) => {
    const i = poolIndexOf(s, a);
    return i >= 0 && poolAllowed(s, i, ex.classes);
  }) ?? placed.subnet;
  const { subnet, key, reservation } = servedFrom(ex, placed, owner);
  {
    const mine = isReservedFor(subnet, hint, client, ex.ctx.hosts);
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
      // Kea 2.2 (ALLOC_ENGINE_V4_REQUEST_OUT_OF_POOL, then DHCP4_UNKNOWN_ADDRESS_REQUESTED): no NAK, no answer,
      // in SELECTING, RENEWING and REBINDING alike and also when `authoritative` is true.
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
    // A client with an address reserved anywhere in the network is NAKed for another address (Kea).
    const reserved = placed.reservation?.ipAddress;
    const reservedElsewhere = reserved !== undefined && reserved !== hint &&
      isAvailableFor(reserved, client, placed.key, placed.subnet, ctx);
    if (reservedElsewhere || !isAvailableFor(hint, client, key, subnet, ctx)) {
      // Kea 2.2: ALLOC_ENGINE_V4_REQUEST_IN_USE, then DHCP4_PACKET_NAK_0004 (SELECTING, RENEWING, REBINDING).
      return nak(ex, subnet, "DHCP4_PACKET_NAK_0004", `failed to grant a lease, ${hintText}`, key);
    }
  }
  return grantLease(ex, subnet, key, reservation, existing, hint);
}
