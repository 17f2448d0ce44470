/**
 * DHCPDISCOVER → DHCPOFFER (RFC 2131 §4.3.1). As in Kea 2.2, nothing is stored at OFFER: the outcome carries the
 * offer for the edge to remember as a hint (a repeated DISCOVER gets the same address while it is free), and with
 * Kea 2.6's `offer-lifetime` as a hold on the address for that many seconds.
 */
import { MsgType } from "../../packet4/packet.ts";
import type { OfferMade, Outcome } from "./types.ts";
import { selectSubnet } from "./select_subnet.ts";
import { nameLog, resolveClientName } from "./ddns_names.ts";
import { ddnsEnabled, ddnsParamsFor } from "./ddns_ncr.ts";
import { chooseAddress } from "./allocate.ts";
import { placeClient, servedFrom } from "./shared_network.ts";
import { validLifetime } from "./timers.ts";
import { buildReply } from "./build_reply.ts";
import { destination } from "./destination.ts";
import { drop, type Exchange } from "./outcome.ts";
import { formatIpv4 } from "../../wire/addr.ts";
import { classTimers, offerLifetime } from "./classes.ts";

/**
 * Answers a DISCOVER with an OFFER, or drops it: no subnet for the client (DHCP4_SUBNET_SELECTION_FAILED) or
 * no address left (Kea's allocation failure statistics). The address comes from `chooseAddress` (reservation,
 * lease affinity, pending offer, option 50, free pool address), in any subnet of the selected subnet's shared
 * network the client may use (shared_network.ts); the OFFER carries option 51 with the lifetime
 * the client would get (`valid-lifetime`, never `offer-lifetime`, as in Kea 2.6), the subnet mask, T1/T2 and the
 * configured options. The offer to remember holds its address for `offer-lifetime` seconds when that is set.
 */
export function handleDiscover(ex: Exchange): Outcome {
  const { query, ctx, client, received } = ex;
  const selected = selectSubnet(query, ctx.config, ctx.arrival, ex.classes);
  if (!selected) {
    return drop("pkt4-receive-drop", received, [{
      id: "DHCP4_SUBNET_SELECTION_FAILED",
      text: `${client.label}: failed to select subnet for the client (no subnet matches giaddr ${
        formatIpv4(query.giaddr)
      }, interface "${ctx.arrival.iface}")`,
    }]);
  }
  const placed = placeClient(ex, selected);
  if ("kind" in placed) return placed;
  const choice = chooseAddress(ex, placed.subnet, placed.key, placed.reservation, placed.existing, placed.candidates);
  if (!choice.ok) return drop("v4-allocation-fail", received, [choice.log], choice.stats);
  const { subnet, key, reservation } = servedFrom(ex, placed, choice.subnet);

  const valid = validLifetime(query, classTimers(subnet.timers, ctx.config, ex.classes));
  const ddns = ddnsParamsFor(ctx.config, subnet, choice.address);
  const name = resolveClientName(query, choice.address, ddns, ddnsEnabled(ctx.config, ddns), reservation?.hostname);
  const reply = buildReply(query, ctx, {
    type: MsgType.OFFER,
    subnet,
    reservation,
    yiaddr: choice.address,
    ciaddr: 0,
    validLifetime: valid,
    nameOptions: name.options,
    classes: ex.classes,
  });
  const offer: OfferMade = { clientKey: key, subnetId: subnet.id, address: choice.address };
  const hold = offerLifetime(subnet, ctx.config, ex.classes);
  if (hold > 0) offer.holdSeconds = hold;
  return {
    kind: "reply",
    reply,
    dest: destination(query, reply, ctx),
    mutations: [],
    offer,
    stats: [...received, ["pkt4-offer-sent", 1]],
    events: [],
    log: [
      ...nameLog(client.label, name),
      { id: "DHCP4_LEASE_OFFER", text: `${client.label}: lease ${formatIpv4(choice.address)} will be offered` },
    ],
  };
}
