/**
 * DHCPRELEASE (RFC 2131 §4.3.4; Kea's `processRelease`): no reply; the client's lease for ciaddr is released.
 */
import type { Outcome } from "./types.ts";
import { INFINITE_LIFETIME, LeaseState } from "../../lease/types.ts";
import { clientKey, ownsLease } from "./client.ts";
import { bothStats, type Exchange } from "./outcome.ts";
import { removeNcrs } from "./ddns_ncr.ts";
import { formatIpv4 } from "../../wire/addr.ts";

/**
 * Releases the lease for ciaddr when it belongs to the client (client-id when both carry one, else hardware
 * address; server id not required, as in Kea and ISC dhcpd). With lease affinity on (`hold-reclaimed-time` and
 * `flush-reclaimed-timer-wait-time` both > 0, Kea's default) the lease is kept in state released (3) with
 * lifetime 0 so the client gets the same address back; otherwise it is deleted. `assigned-addresses` drops by
 * one. A lease with DNS records gets a remove NameChangeRequest (Kea's queueNCR). A release of an unknown or someone else's address is ignored with a log line.
 */
export function handleRelease(ex: Exchange): Outcome {
  const { query, ctx, client, received } = ex;
  const addr = query.ciaddr;
  const lease = addr !== 0 ? ctx.leases.byAddress(addr) : undefined;
  if (!lease || lease.state !== LeaseState.DEFAULT) {
    return {
      kind: "none",
      mutations: [],
      stats: [...received],
      events: [],
      log: [{
        id: "DHCP4_RELEASE_FAIL_NO_LEASE",
        text: `${client.label}: cannot release address ${formatIpv4(addr)}: no active lease for it`,
      }],
    };
  }
  if (!ownsLease(lease, client, true)) {
    return {
      kind: "none",
      mutations: [],
      stats: [...received],
      events: [],
      log: [{
        id: "DHCP4_RELEASE_FAIL_WRONG_CLIENT",
        text: `${client.label}: cannot release address ${formatIpv4(addr)}: it is leased to another client`,
      }],
    };
  }
  const exp = ctx.config.expired;
  const affinity = exp.holdReclaimedTime > 0 && exp.flushReclaimedTimerWaitTime > 0 &&
    lease.validLifetime !== INFINITE_LIFETIME;
  const subnet = ctx.config.subnets.find((s) => s.id === lease.subnetId);
  const out: Outcome = {
    kind: "none",
    mutations: affinity
      ? [{ op: "put", lease: { ...lease, state: LeaseState.RELEASED, validLifetime: 0, cltt: ctx.now } }]
      : [{ op: "del", address: addr }],
    stats: [...received, ...bothStats("assigned-addresses", lease.subnetId, -1)],
    events: [{ kind: "release", address: addr, subnetId: lease.subnetId, hostname: lease.hostname }],
    ncrs: removeNcrs(ctx.config, lease),
    log: [{ id: "DHCP4_RELEASE", text: `${client.label}: address ${formatIpv4(addr)} was released properly` }],
  };
  if (subnet) out.forgetOffer = clientKey(client, subnet);
  return out;
}
