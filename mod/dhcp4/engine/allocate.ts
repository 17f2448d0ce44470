/**
 * Picks the address for a client with no specific request (DISCOVER, or a REQUEST carrying neither ciaddr
 * nor option 50), in Kea's allocation engine order: reservation, the client's own lease (lease affinity),
 * the address already offered, the requested address, then the next free address of the pools in order.
 */
import { Opt } from "../packet.ts";
import type { Reservation4, Subnet4 } from "../../config/model.ts";
import { formatIpv4 } from "../../wire/addr.ts";
import type { Lease4 } from "../../lease/types.ts";
import type { StatDelta } from "./types.ts";
import { isAvailableFor, poolIndexOf } from "./address.ts";
import { readAddr } from "./payload.ts";
import { bothStats, type Exchange, type LogEntry } from "./outcome.ts";
import { poolAllowed } from "./classes.ts";

export type Choice = { ok: true; address: number } | { ok: false; stats: StatDelta[]; log: LogEntry };

/**
 * Chooses an address in `subnet` for the client of `ex`. `existing` is the client's lease in the subnet
 * (any state). An address is taken only if it is still available to this client (no other live lease, not
 * reserved for another, not offered to another); dynamic addresses must lie in a pool. On failure, returns
 * Kea's allocation-failure statistics (`v4-allocation-fail`, `-subnet` or `-no-pools`, global and per subnet)
 * and an ALLOC_ENGINE_V4_ALLOC_FAIL_SUBNET log entry naming the subnet and its pools.
 */
export function chooseAddress(
  ex: Exchange,
  subnet: Subnet4,
  key: string,
  reservation: Reservation4 | undefined,
  existing: Lease4 | undefined,
): Choice {
  const { ctx, client } = ex;
  const inAllowedPool = (a: number) => {
    const pi = poolIndexOf(subnet, a);
    return pi >= 0 && (!ex.classes || poolAllowed(subnet, pi, ex.classes));
  };
  const usable = (a: number | undefined, needPool: boolean): a is number =>
    a !== undefined && a !== 0 && (!needPool || inAllowedPool(a)) &&
    isAvailableFor(a, client, key, subnet, ctx);

  if (usable(reservation?.ipAddress, false)) return { ok: true, address: reservation!.ipAddress! };
  if (existing) {
    const mine = subnet.reservedAddresses.get(existing.address) === client.hwaddr;
    if (usable(existing.address, !mine)) return { ok: true, address: existing.address };
  }
  const offered = ctx.offers.offered(key, subnet.id);
  if (usable(offered, true)) return { ok: true, address: offered };
  const hint = readAddr(ex.query.options.get(Opt.REQUESTED_ADDRESS));
  if (usable(hint, true)) return { ok: true, address: hint };
  for (let i = 0; i < subnet.pools.length; i++) {
    if (subnet.pools[i].clientClasses && !poolAllowed(subnet, i, ex.classes)) continue;
    const a = ctx.allocator.findFree(subnet, i, ctx.now);
    if (a !== undefined) return { ok: true, address: a };
  }

  const kind = subnet.pools.length === 0 ? "v4-allocation-fail-no-pools" : "v4-allocation-fail-subnet";
  const pools = subnet.pools.map((p) => `${formatIpv4(p.start)}-${formatIpv4(p.end)}`);
  const why = pools.length
    ? `pool${pools.length > 1 ? "s" : ""} ${pools.join(", ")} ${pools.length > 1 ? "are" : "is"} exhausted`
    : "it has no pools";
  return {
    ok: false,
    stats: [...bothStats("v4-allocation-fail", subnet.id, 1), ...bothStats(kind, subnet.id, 1)],
    log: {
      id: "ALLOC_ENGINE_V4_ALLOC_FAIL_SUBNET",
      text: `${client.label}: Cannot allocate a lease in subnet ${subnet.prefix} (id ${subnet.id}): ${why}`,
    },
  };
}
