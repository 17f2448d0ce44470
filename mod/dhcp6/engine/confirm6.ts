/**
 * CONFIRM and INFORMATION-REQUEST (RFC 8415 §18.3.3, §18.3.6; Kea's `processConfirm` and `processInfRequest`):
 * no binding changes, only an answer about the link or the configuration options.
 */
import { MsgType6, Status6 } from "../../packet6/packet.ts";
import { drop6, type Exchange6, fmt6, statusOption } from "./exchange6.ts";
import { hints6, onLink6 } from "./ia6.ts";
import { candidateSubnets6 } from "./select_subnet6.ts";
import { reply6 } from "./reply6.ts";
import type { Outcome6 } from "./types.ts";
import { printableList } from "../../wire/printable.ts";

/**
 * CONFIRM → REPLY with a top-level Success when every address of the IA_NAs lies on the client's link, NotOnLink
 * naming the first one that does not. Kea checks the selected subnet only; weka also accepts the other subnets
 * of its shared network (the client may hold a lease from any of them). When the query lists no address the
 * server cannot tell and sends nothing (§18.3.3); when no subnet fits the client's link Kea answers NotOnLink
 * "No subnet selected", and so does weka.
 */
export function handleConfirm6(ex: Exchange6): Outcome6 {
  const addrs = ex.msg.ias.filter((ia) => ia.kind === "na").flatMap((ia) => hints6(ia));
  if (!addrs.length) {
    return drop6("no-addresses", [{
      id: "DHCP6_CONFIRM_NO_ADDRESSES",
      text: `${ex.client.label}: CONFIRM lists no addresses; not answering (RFC 8415 §18.3.3)`,
    }]);
  }
  if (!ex.subnet) {
    // Kea answers NotOnLink "No subnet selected" rather than staying silent.
    return reply6(ex, MsgType6.REPLY, {
      extra: [statusOption(Status6.NotOnLink, "No subnet selected")],
      log: [{
        id: "DHCP6_CONFIRM_NOT_ON_LINK",
        text: `${ex.client.label}: CONFIRM from a link this server has no subnet for`,
      }],
    });
  }
  const subnets = candidateSubnets6(ex.ctx.config, ex.subnet, ex.classes);
  const off = addrs.filter((h) => !subnets.some((s) => onLink6(s, "na", h.address, 128)));
  const status = off.length
    ? statusOption(Status6.NotOnLink, `Address ${fmt6(off[0].address)} is not on link.`)
    : statusOption(Status6.Success, "All addresses are on-link");
  return reply6(ex, MsgType6.REPLY, {
    extra: [status],
    log: [{
      id: off.length ? "DHCP6_CONFIRM_NOT_ON_LINK" : "DHCP6_CONFIRM_ON_LINK",
      text: off.length
        ? `${ex.client.label}: ${
          printableList(off.map((h) => fmt6(h.address)))
        } not on link of subnet ${ex.subnet.prefix}`
        : `${ex.client.label}: all addresses on link of subnet ${ex.subnet.prefix}`,
    }],
  });
}

/**
 * INFORMATION-REQUEST → REPLY with the requested and always-send options only (stateless DHCPv6, RFC 8415
 * §18.3.6): from the selected subnet's scopes when the client can be placed, else from the classes and the
 * global scope.
 */
export function handleInfoRequest6(ex: Exchange6): Outcome6 {
  return reply6(ex, MsgType6.REPLY, {});
}
