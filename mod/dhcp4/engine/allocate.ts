/**
 * Picks the address for a client with no specific request (DISCOVER, or a REQUEST carrying neither ciaddr
 * nor option 50), in Kea's allocation engine order: reservation, the client's own lease (lease affinity),
 * the address already offered, the requested address, then the next free address of the pools in order, over
 * every subnet of a shared network the client may use.
 */
import { Opt } from "../../packet4/packet.ts";
import type { Reservation4, Subnet4 } from "../../config/model.ts";
import { formatIpv4 } from "../../wire/addr.ts";
import type { Lease4 } from "../../lease/types.ts";
import type { PoolRef, StatDelta } from "./types.ts";
import { isAvailableFor, offeredToOther, poolIndexOf } from "./address.ts";
import { readAddr } from "./payload.ts";
import { bothStats, type Exchange, type LogEntry } from "./outcome.ts";
import { poolAllowed } from "./classes.ts";
import { clientKey } from "./client.ts";
import { isReservedFor } from "./reservation.ts";

export type Choice = { ok: true; address: number; subnet: Subnet4 } | { ok: false; stats: StatDelta[]; log: LogEntry };

/**
 * Chooses an address for the client of `ex`, in `subnet` or, for a member of a shared network, in any of
 * `candidates` (the subnets the client may use, `subnet` first: Kea's allocation engine walks the network with
 * `getNextSubnet`). `existing` is the client's lease (any state, in any candidate). Kea's order: the reserved
 * address, the client's own lease (lease affinity, in the lease's subnet), the address already offered, the
 * requested address (in whichever candidate's pool holds it), then the next free address of the candidates'
 * allowed pools in turn (the allocator), so an exhausted subnet hands over to the next. An address is taken only if it is still
 * available to this client (no other live lease, not reserved for another, not held for another by
 * `offer-lifetime`); a requested address offered lately to another client is passed over for the pools, which
 * prefer addresses nobody was offered and give out offered ones only when nothing else is left (Kea 2.2 holds
 * nothing at OFFER, so offers must never starve a pool). Dynamic addresses must lie in a pool the client's
 * classes allow. On failure, returns Kea's allocation-failure
 * statistics (`v4-allocation-fail` and `-subnet`, `-shared-network` or `-no-pools`, global and per subnet) and an
 * ALLOC_ENGINE_V4_ALLOC_FAIL_SUBNET / _SHARED_NETWORK log entry naming the subnets and their pools.
 */
export function chooseAddress(
  ex: Exchange,
  subnet: Subnet4,
  key: string,
  reservation: Reservation4 | undefined,
  existing: Lease4 | undefined,
  candidates: readonly Subnet4[] = [subnet],
): Choice {
  const { ctx, client } = ex;
  const keyOf = (s: Subnet4) => (s === subnet ? key : clientKey(client, s));
  const inAllowedPool = (s: Subnet4, a: number) => {
    const pi = poolIndexOf(s, a);
    return pi >= 0 && (!ex.classes || poolAllowed(s, pi, ex.classes));
  };
  const usable = (s: Subnet4, a: number | undefined, needPool: boolean): a is number =>
    a !== undefined && a !== 0 && (!needPool || inAllowedPool(s, a)) &&
    isAvailableFor(a, client, keyOf(s), s, ctx);
  const ok = (address: number, s: Subnet4): Choice => ({ ok: true, address, subnet: s });

  if (usable(subnet, reservation?.ipAddress, false)) return ok(reservation!.ipAddress!, subnet);
  if (existing) {
    const ls = candidates.find((s) => s.id === existing.subnetId) ?? subnet;
    const mine = isReservedFor(ls, existing.address, client, ctx.hosts);
    if (usable(ls, existing.address, !mine)) return ok(existing.address, ls);
  }
  for (const s of candidates) {
    const offered = ctx.offers.offered(keyOf(s), s.id);
    if (usable(s, offered, true)) return ok(offered, s);
  }
  const hint = readAddr(ex.query.options.get(Opt.REQUESTED_ADDRESS));
  if (hint !== undefined && hint !== 0) {
    const hs = candidates.find((s) => inAllowedPool(s, hint));
    if (hs && !offeredToOther(hint, keyOf(hs), ctx) && usable(hs, hint, true)) return ok(hint, hs);
  }
  const pools: PoolRef[] = [];
  for (const s of candidates) {
    for (let i = 0; i < s.pools.length; i++) {
      if (!s.pools[i].clientClasses || poolAllowed(s, i, ex.classes)) pools.push({ subnet: s, poolIndex: i });
    }
  }
  const free = ctx.allocator.findFree(pools, ctx.now);
  return free ? ok(free.address, free.subnet) : failure(ex, subnet, candidates);
}

/** Kea's allocation-failure statistics and log line for a subnet, or for the whole shared network it is in. */
function failure(ex: Exchange, subnet: Subnet4, candidates: readonly Subnet4[]): Choice {
  const shared = subnet.sharedNetwork !== undefined;
  const pools = candidates.flatMap((s) => s.pools.map((p) => `${formatIpv4(p.start)}-${formatIpv4(p.end)}`));
  const kind = pools.length === 0
    ? "v4-allocation-fail-no-pools"
    : shared
    ? "v4-allocation-fail-shared-network"
    : "v4-allocation-fail-subnet";
  const why = pools.length
    ? `pool${pools.length > 1 ? "s" : ""} ${pools.join(", ")} ${pools.length > 1 ? "are" : "is"} exhausted`
    : "it has no pools";
  const where = shared
    ? `shared network '${subnet.sharedNetwork}' (subnets ${
      candidates.map((s) => `${s.prefix} (id ${s.id})`).join(", ")
    })`
    : `subnet ${subnet.prefix} (id ${subnet.id})`;
  return {
    ok: false,
    stats: [...bothStats("v4-allocation-fail", subnet.id, 1), ...bothStats(kind, subnet.id, 1)],
    log: {
      id: shared ? "ALLOC_ENGINE_V4_ALLOC_FAIL_SHARED_NETWORK" : "ALLOC_ENGINE_V4_ALLOC_FAIL_SUBNET",
      text: `${ex.client.label}: Cannot allocate a lease in ${where}: ${why}`,
    },
  };
}
