/**
 * DHCPDECLINE (RFC 2131 §4.3.3; Kea's `processDecline` and `declineLease`): the client found its address in
 * use; the address is put on probation. No reply.
 */
import { Opt } from "../../packet4/packet.ts";
import type { Outcome } from "./types.ts";
import { LeaseState } from "../../lease/types.ts";
import { clientKey, ownsLease } from "./client.ts";
import { readAddr } from "./payload.ts";
import { bothStats, drop, type Exchange } from "./outcome.ts";
import { removeNcrs } from "./ddns_ncr.ts";
import { formatIpv4 } from "../../wire/addr.ts";

/**
 * Declines the address of option 50 when the client holds its lease: the lease becomes declined (state 1),
 * loses hardware address, client id and host name, and lives `decline-probation-period` seconds from now.
 * `declined-addresses` (global and subnet) goes up by one. As in Kea, `assigned-addresses` is NOT decreased here:
 * a declined address stays counted until reclamation takes it back. A DECLINE without option 50 is an RFC
 * violation and is dropped; a declined lease's DNS records are removed (Kea's declineLease queues a remove); one for an unknown or foreign lease is ignored with a warning.
 */
export function handleDecline(ex: Exchange): Outcome {
  const { query, ctx, client, received } = ex;
  const addr = readAddr(query.options.get(Opt.REQUESTED_ADDRESS));
  if (addr === undefined) {
    return drop("pkt4-rfc-violation", received, [{
      id: "DHCP4_PACKET_DROP_0007",
      text: `${client.label}: mandatory 'Requested IP address' option missing in DHCPDECLINE`,
    }]);
  }
  const lease = ctx.leases.byAddress(addr);
  const ignore = (id: string, text: string): Outcome => ({
    kind: "none",
    mutations: [],
    stats: [...received],
    events: [],
    log: [{ id, text }],
  });
  if (!lease || lease.state !== LeaseState.DEFAULT) {
    return ignore(
      "DHCP4_DECLINE_LEASE_NOT_FOUND",
      `Received DHCPDECLINE for addr ${formatIpv4(addr)} from client ${client.label}, but no such lease found`,
    );
  }
  if (!ownsLease(lease, client, true)) {
    return ignore(
      "DHCP4_DECLINE_LEASE_MISMATCH",
      `Received DHCPDECLINE for addr ${formatIpv4(addr)} from client ${client.label}, but the lease belongs to ` +
        `hwaddr ${lease.hwaddr || "(none)"}, client-id ${lease.clientId || "(none)"}`,
    );
  }
  const probation = ctx.config.declineProbationPeriod;
  const subnet = ctx.config.subnets.find((s) => s.id === lease.subnetId);
  const out: Outcome = {
    kind: "none",
    mutations: [{
      op: "put",
      lease: {
        ...lease,
        hwaddr: "",
        clientId: "",
        hostname: "",
        fqdnFwd: false,
        fqdnRev: false,
        validLifetime: probation,
        cltt: ctx.now,
        state: LeaseState.DECLINED,
      },
    }],
    stats: [...received, ...bothStats("declined-addresses", lease.subnetId, 1)],
    events: [{ kind: "decline", address: addr, subnetId: lease.subnetId, hostname: lease.hostname }],
    ncrs: removeNcrs(ctx.config, lease),
    log: [{
      id: "DHCP4_DECLINE_LEASE",
      text: `Received DHCPDECLINE for addr ${formatIpv4(addr)} from client ${client.label}. ` +
        `The lease will be unavailable for ${probation} seconds`,
    }],
  };
  if (subnet) out.forgetOffer = clientKey(client, subnet);
  return out;
}
