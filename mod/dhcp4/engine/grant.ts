/**
 * Commits a lease at DHCPREQUEST and builds the DHCPACK (RFC 2131 §4.3.2; Kea's `requestLease4` and the
 * statistics it keeps). The lease mutation must be durable before the ACK leaves (the edge waits for it).
 */
import { MsgType, Opt } from "../../packet4/packet.ts";
import { withRelayAgentInfo } from "./extended_info.ts";
import type { Reservation4, Subnet4 } from "../../config/model.ts";
import { INFINITE_LIFETIME, type Lease4, leaseExpire, type LeaseMutation, LeaseState } from "../../lease/types.ts";
import type { Outcome, StatDelta } from "./types.ts";
import { ownsLease } from "./client.ts";
import { nameLog, resolveClientName } from "./ddns_names.ts";
import { ddnsEnabled, ddnsParamsFor, grantNcrs } from "./ddns_ncr.ts";
import { poolIndexOf } from "./address.ts";
import { validLifetime } from "./timers.ts";
import { buildReply } from "./build_reply.ts";
import { destination } from "./destination.ts";
import { bothStats, type Exchange } from "./outcome.ts";
import { formatIpv4 } from "../../wire/addr.ts";
import { classTimers } from "./classes.ts";
import { reusableLifetime } from "./lease_cache.ts";

/**
 * Grants `address` to the client: a put of the lease (cltt = now, lifetime from the triplet and option 51,
 * identity, the name and DNS directions decided by the DDNS rules of ddns_names.ts), the deletion of the client's previous lease in the
 * subnet when it held another address, and the ACK. Statistics follow Kea: a renewal of a live lease changes no
 * counter; a new allocation adds 1 to `cumulative-assigned-addresses` and to `assigned-addresses` unless the
 * address's previous lease was never reclaimed (still counted); reusing a declined address takes it out of
 * `declined-addresses` and, as any reuse of an expired lease never reclaimed, counts in `reclaimed-leases`
 * (reuseReclaimStats); a replaced lease leaves `assigned-addresses`. The outcome carries the NameChangeRequests
 * of Kea's `createNameChangeRequests` (grantNcrs).
 */
export function grantLease(
  ex: Exchange,
  subnet: Subnet4,
  key: string,
  reservation: Reservation4 | undefined,
  existing: Lease4 | undefined,
  address: number,
): Outcome {
  const { query, ctx, client, received } = ex;
  // libdhcp_bootp.so: a BOOTP client's lease is infinite (Kea's AllocEngine::getValidLft for class BOOTP)
  const valid = ex.bootp ? INFINITE_LIFETIME : validLifetime(query, classTimers(subnet.timers, ctx.config, ex.classes));
  const ddns = ddnsParamsFor(ctx.config, subnet, address);
  const name = resolveClientName(query, address, ddns, ddnsEnabled(ctx.config, ddns), reservation?.hostname);
  const hostname = name.hostname;
  const prev = ctx.leases.byAddress(address);
  const renewal = prev !== undefined && ownsLease(prev, client, subnet.matchClientId) &&
    prev.state === LeaseState.DEFAULT && leaseExpire(prev) > ctx.now;
  const pi = poolIndexOf(subnet, address);

  const lease: Lease4 = {
    address,
    hwaddr: client.hwaddr,
    // Kea drops the client identifier from leases of subnets with match-client-id false.
    clientId: subnet.matchClientId ? client.clientId : "",
    validLifetime: valid,
    cltt: ctx.now,
    subnetId: subnet.id,
    fqdnFwd: name.fqdnFwd,
    fqdnRev: name.fqdnRev,
    hostname,
    state: LeaseState.DEFAULT,
  };
  if (pi >= 0 && subnet.pools[pi].poolId) lease.poolId = subnet.pools[pi].poolId;
  if (renewal && prev.userContext) lease.userContext = prev.userContext;
  if (subnet.storeExtendedInfo) {
    const ctxWithRai = withRelayAgentInfo(lease.userContext, query.options.get(Opt.RELAY_AGENT_INFO));
    if (ctxWithRai) lease.userContext = ctxWithRai;
  }

  // Kea's lease caching: a renewal soon after the last write reuses the lease as it is (lease_cache.ts)
  const reused = renewal ? reusableLifetime(subnet, prev, lease, ctx.now) : undefined;
  if (reused !== undefined) return reuseLease(ex, subnet, key, reservation, prev!, reused, name);
  const mutations: LeaseMutation[] = [{ op: "put", lease }];
  const stats: StatDelta[] = [...received, ["pkt4-ack-sent", 1]];
  if (!renewal) {
    stats.push(...bothStats("cumulative-assigned-addresses", subnet.id, 1));
    const stillCounted = prev !== undefined &&
      (prev.state === LeaseState.DEFAULT || prev.state === LeaseState.DECLINED);
    if (!stillCounted) stats.push(...bothStats("assigned-addresses", subnet.id, 1));
    if (prev?.state === LeaseState.DECLINED) stats.push(...bothStats("declined-addresses", prev.subnetId, -1));
    if (stillCounted) stats.push(...reuseReclaimStats(prev));
  }
  if (existing && existing.address !== address) {
    mutations.push({ op: "del", address: existing.address });
    if (existing.state === LeaseState.DEFAULT) stats.push(...bothStats("assigned-addresses", existing.subnetId, -1));
  }

  const reply = buildReply(query, ctx, {
    type: MsgType.ACK,
    subnet,
    reservation,
    yiaddr: address,
    ciaddr: query.ciaddr,
    validLifetime: valid,
    nameOptions: name.options,
    classes: ex.classes,
  });
  return {
    kind: "reply",
    reply,
    dest: destination(query, reply, ctx),
    mutations,
    forgetOffer: key,
    stats,
    events: [{ kind: renewal ? "renew" : "alloc", address, subnetId: subnet.id, hostname }],
    ncrs: grantNcrs(ctx.config, ddns, lease, prev, existing, renewal),
    log: [...nameLog(client.label, name), {
      id: "DHCP4_LEASE_ALLOC",
      text: `${client.label}: lease ${formatIpv4(address)} has been allocated for ${valid} seconds`,
    }],
  };
}

/**
 * Kea's `reuseExpiredLease4` reclaims an expired lease that was never reclaimed before handing its address out
 * again (alloc_engine.cc `reclaimExpiredLease(lease, callout_handle)`, Kea 2.2): `reclaimed-leases` +1 globally and
 * in the lease's subnet, and for a declined address also `reclaimed-declined-addresses` +1 (reclaimDeclined).
 * `assigned-addresses` (-1 then +1) and `declined-addresses` (-1) are settled by the caller.
 */
function reuseReclaimStats(prev: Lease4): StatDelta[] {
  const out = bothStats("reclaimed-leases", prev.subnetId, 1);
  if (prev.state === LeaseState.DECLINED) out.push(...bothStats("reclaimed-declined-addresses", prev.subnetId, 1));
  return out;
}

/**
 * The DHCPACK of a reused lease (Kea's lease caching): nothing is written, the lifetime given is what is left of
 * the stored one, no DNS update is made, and `v4-lease-reuses` counts it (globally and per subnet).
 */
function reuseLease(
  ex: Exchange,
  subnet: Subnet4,
  key: string,
  reservation: Reservation4 | undefined,
  lease: Lease4,
  remaining: number,
  name: ReturnType<typeof resolveClientName>,
): Outcome {
  const { query, ctx, client, received } = ex;
  const reply = buildReply(query, ctx, {
    type: MsgType.ACK,
    subnet,
    reservation,
    yiaddr: lease.address,
    ciaddr: query.ciaddr,
    validLifetime: remaining,
    nameOptions: name.options,
    classes: ex.classes,
  });
  return {
    kind: "reply",
    reply,
    dest: destination(query, reply, ctx),
    mutations: [],
    forgetOffer: key,
    stats: [...received, ["pkt4-ack-sent", 1], ...bothStats("v4-lease-reuses", subnet.id, 1)],
    events: [],
    log: [...nameLog(client.label, name), {
      id: "DHCP4_LEASE_REUSE",
      text: `${client.label}: lease ${formatIpv4(lease.address)} has been reused for ${remaining} seconds`,
    }],
  };
}
