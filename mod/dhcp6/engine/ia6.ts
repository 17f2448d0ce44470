/**
 * The pieces shared by every IA handler (RFC 8415 §21.4 IA_NA, §21.21 IA_PD): what differs between addresses and
 * delegated prefixes, the client's hints, pool membership under class guards, the "free for this client" test,
 * granting one lease (with Kea's statistics) and building the reply IA.
 */
import { withRelayInfo6 } from "./extended_info6.ts";
import { getOption6, type Ia, Opt6, type RawOption6, Status6 } from "../../packet6/packet.ts";
import { OPT_PD_EXCLUDE, pdExclude6, prefixExclude6 } from "./pd_exclude6.ts";
import type { PdPool6, Pool6, Subnet6 } from "../../config/model6.ts";
import { LeaseState } from "../../lease/types.ts";
import { type Lease6, type Lease6Mutation, Lease6Type } from "../../lease/types6.ts";
import { clientAllowed } from "../../classify/classify4.ts";
import { bigToBytes, bothStats6, bytesToBig, type Exchange6, fmt6, inSubnet, requestedCodes6 } from "./exchange6.ts";
import { holds6, stillCounted6 } from "./lease_state6.ts";
import { reservedForOther6 } from "./host6.ts";
import { classTimers6, lifetimes6, teeTimes6 } from "./lifetimes6.ts";
import type { Lease6Event, LogEntry6, StatDelta6 } from "./types.ts";

/** What differs between IA_NA and IA_PD handling. */
export const KIND6 = {
  na: {
    type: Lease6Type.NA,
    none: Status6.NoAddrsAvail,
    noneText: "Sorry, no address could be allocated.",
    assigned: "assigned-nas",
    cumulative: "cumulative-assigned-nas",
    what: "address",
    allocId: "DHCP6_LEASE_ALLOC",
    advertId: "DHCP6_LEASE_ADVERT",
  },
  pd: {
    type: Lease6Type.PD,
    none: Status6.NoPrefixAvail,
    noneText: "Sorry, no prefixes could be allocated.",
    assigned: "assigned-pds",
    cumulative: "cumulative-assigned-pds",
    what: "prefix",
    allocId: "DHCP6_PD_LEASE_ALLOC",
    advertId: "DHCP6_PD_LEASE_ADVERT",
  },
} as const;

/** A client hint or a requested binding: address or prefix, its length, and the lifetimes the client sent. */
export interface Hint6 {
  address: bigint;
  len: number;
  preferred: number;
  valid: number;
}

/** The addresses (IA_NA) or prefixes (IA_PD) a client listed in an IA. */
export function hints6(ia: Ia): Hint6[] {
  if (ia.kind === "na") {
    return ia.addresses.map((a) => ({
      address: bytesToBig(a.address),
      len: 128,
      preferred: a.preferred,
      valid: a.valid,
    }));
  }
  return ia.prefixes.map((p) => ({
    address: bytesToBig(p.prefix),
    len: p.prefixLen,
    preferred: p.preferred,
    valid: p.valid,
  }));
}

/** True when the client may use a pool (Kea `Pool::clientSupported` on its `client-class`). */
export function poolAllowed6(pool: Pool6 | PdPool6, classes: ReadonlySet<string> | undefined): boolean {
  return clientAllowed(pool.clientClasses, classes);
}

/** True when the delegated prefix `a/len` is one of the pool's `/delegated-len` prefixes. */
export function inPdPool6(pool: PdPool6, a: bigint, len: number): boolean {
  if (len !== pool.delegatedLen) return false;
  const hostBits = BigInt(128 - pool.prefixLen);
  return (a >> hostBits) === (pool.prefix >> hostBits) && (a & ((1n << BigInt(128 - len)) - 1n)) === 0n;
}

/** The pool of `subnet` holding `a/len` for this kind, or undefined (pool guards not checked). */
export function poolOf6(subnet: Subnet6, kind: "na" | "pd", a: bigint, len: number): Pool6 | PdPool6 | undefined {
  if (kind === "na") return len === 128 ? subnet.pools.find((p) => a >= p.start && a <= p.end) : undefined;
  return subnet.pdPools.find((p) => inPdPool6(p, a, len));
}

/** True when `a/len` belongs to `subnet` for this kind: an address in its prefix, a prefix in one of its pd-pools. */
export function onLink6(subnet: Subnet6, kind: "na" | "pd", a: bigint, len: number): boolean {
  return kind === "na" ? len === 128 && inSubnet(subnet, a) : poolOf6(subnet, "pd", a, len) !== undefined;
}

/** What one IA's handling produced. */
export interface IaResult6 {
  ia: Ia;
  mutations: Lease6Mutation[];
  stats: StatDelta6[];
  events: Lease6Event[];
  log: LogEntry6[];
  /** leases granted in this IA (their pools' options go into the reply) */
  leases: Lease6[];
}

/** An empty result for `ia` to fill in. */
export function newResult6(ia: Ia): IaResult6 {
  return {
    ia: { kind: ia.kind, iaid: ia.iaid, t1: 0, t2: 0, addresses: [], prefixes: [], options: [] },
    mutations: [],
    stats: [],
    events: [],
    log: [],
    leases: [],
  };
}

/** Ends an IA with a status code and no bindings (T1 = T2 = 0, RFC 8415 §21.4). */
export function statusIa6(r: IaResult6, code: number, message: string): IaResult6 {
  r.ia.status = { code, message };
  return r;
}

/**
 * True when `a/len` in `subnet` may go to this client's IA: not granted already in this exchange, not reserved
 * for another host, and no live lease of someone else (or of another IA of this client) holds it.
 */
export function freeFor6(
  ex: Exchange6,
  subnet: Subnet6,
  kind: "na" | "pd",
  iaid: number,
  a: bigint,
  len: number,
  taken: ReadonlySet<bigint>,
): boolean {
  if (taken.has(a)) return false;
  if (reservedForOther6(ex.ctx.config, subnet, a, len, ex.client, ex.ctx.hosts)) return false;
  const lease = ex.ctx.leases.byAddress(a);
  if (!holds6(lease, ex.ctx.now)) return true;
  return lease!.state === LeaseState.DEFAULT && lease!.duid === ex.client.duid && lease!.iaid === iaid &&
    lease!.type === KIND6[kind].type;
}

/**
 * Grants `a/len` from `subnet` to the IA: lifetimes from the subnet's timers (classes first) and the client's
 * hint, cltt now. When `commit` is set the lease is written, and Kea's gauges move: a new binding adds to
 * `cumulative-assigned-*` and `assigned-*` (a previous lease of the address still counted is taken out first; a
 * declined one leaves `declined-addresses`); extending the client's own lease changes no statistic.
 */
export function grant6(
  ex: Exchange6,
  r: IaResult6,
  subnet: Subnet6,
  kind: "na" | "pd",
  a: bigint,
  len: number,
  hint: Hint6 | undefined,
  commit: boolean,
  taken: Set<bigint>,
): Lease6 {
  const k = KIND6[kind];
  const { ctx, client } = ex;
  const prev = ctx.leases.byAddress(a);
  const own = !!prev && prev.state === LeaseState.DEFAULT && prev.duid === client.duid && prev.iaid === r.ia.iaid &&
    prev.type === k.type;
  const { preferred, valid } = lifetimes6(classTimers6(subnet.timers, ctx.config, ex.classes), hint);
  const base: Lease6 = own ? prev! : {
    address: a,
    prefixLen: len,
    type: k.type,
    duid: client.duid,
    iaid: r.ia.iaid,
    preferredLifetime: 0,
    validLifetime: 0,
    cltt: 0,
    subnetId: subnet.id,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: ex.host?.res.hostname ?? "",
    hwaddr: client.hwaddr,
    state: LeaseState.DEFAULT,
  };
  const lease: Lease6 = {
    ...base,
    preferredLifetime: preferred,
    validLifetime: valid,
    cltt: ctx.now,
    subnetId: subnet.id,
    // Kea's updateLeaseData / extendLease6: the exchange's name and DNS directions (fqdn6.ts), also on renewal
    hostname: ex.fqdn ? ex.fqdn.name : ex.host?.res.hostname ?? "",
    fqdnFwd: ex.fqdn?.fwd ?? false,
    fqdnRev: ex.fqdn?.rev ?? false,
  };
  if (client.hwaddr) lease.hwaddr = client.hwaddr;
  const poolId = poolOf6(subnet, kind, a, len)?.poolId;
  if (poolId) lease.poolId = poolId;
  if (subnet.storeExtendedInfo) {
    const withRelays = withRelayInfo6(lease.userContext, ex.relays);
    if (withRelays) lease.userContext = withRelays;
  }
  taken.add(a);
  r.leases.push(lease);
  if (kind === "na") {
    r.ia.addresses.push({ address: bigToBytes(a), preferred, valid, options: [] });
  } else {
    const options = excludeFor(ex, subnet, a, len);
    r.ia.prefixes.push({ preferred, valid, prefixLen: len, prefix: bigToBytes(a), options });
  }
  if (!ctx.quiet) {
    const verb = commit ? (own ? "renewed" : "allocated") : "advertised";
    r.log.push({
      id: commit ? k.allocId : k.advertId,
      text: `${client.label}: lease for ${k.what} ${fmt6(a, len)} and iaid=${r.ia.iaid} has been ${verb} ` +
        `(preferred ${preferred} s, valid ${valid} s) in subnet ${subnet.id}`,
    });
  }
  if (!commit) return lease;
  r.mutations.push({ op: "put", lease });
  r.events.push({ kind: own ? "renew" : "alloc", type: kind, address: a, prefixLen: len, subnetId: subnet.id });
  if (!own) {
    if (stillCounted6(prev) && prev!.type === k.type) r.stats.push(...bothStats6(k.assigned, prev!.subnetId, -1));
    if (prev?.state === LeaseState.DECLINED) r.stats.push(...bothStats6("declined-addresses", prev.subnetId, -1));
    // Kea 2.2's reuseExpiredLease6 reclaims a lease never reclaimed before reusing it (reclaimExpiredLease):
    // reclaimed-leases, and reclaimed-declined-addresses for a declined one (reclaimDeclined)
    if (stillCounted6(prev)) {
      r.stats.push(...bothStats6("reclaimed-leases", prev!.subnetId, 1));
      if (prev!.state === LeaseState.DECLINED) {
        r.stats.push(...bothStats6("reclaimed-declined-addresses", prev!.subnetId, 1));
      }
    }
    r.stats.push(...bothStats6(k.assigned, subnet.id, 1), ...bothStats6(k.cumulative, subnet.id, 1));
  }
  return lease;
}

/**
 * Option 67 for a delegated prefix when the client asked for it (ORO) and a sub-prefix is excluded: the host's
 * reservation decides for a reserved prefix (its `excluded-prefixes` entry; none, even inside an excluding pool, as
 * Kea), else the prefix's pool.
 */
function excludeFor(ex: Exchange6, subnet: Subnet6, a: bigint, len: number): RawOption6[] {
  if (!requestedCodes6(getOption6(ex.msg.options, Opt6.ORO)).includes(OPT_PD_EXCLUDE)) return [];
  const reserved = ex.host?.res.prefixes.find((p) => p.prefix === a && p.len === len);
  if (reserved) {
    const o = reserved.excluded && prefixExclude6(len, reserved.excluded.prefix, reserved.excluded.len);
    return o ? [o] : [];
  }
  const pool = poolOf6(subnet, "pd", a, len) as PdPool6 | undefined;
  if (!pool || pool.excludedPrefix === undefined) return [];
  const o = pdExclude6(pool);
  return o ? [o] : [];
}

/** Sets the IA's T1/T2 from the shortest preferred lifetime of its bindings (0/0 when it has none). */
export function finishIa6(ex: Exchange6, r: IaResult6, subnet: Subnet6 | undefined): IaResult6 {
  // Kea takes the shortest non-zero preferred lifetime (zero-lifetime entries are withdrawals).
  const live = [...r.ia.addresses, ...r.ia.prefixes].filter((b) => b.preferred > 0).map((b) => b.preferred);
  if (!subnet || !live.length) return r;
  const { t1, t2 } = teeTimes6(Math.min(...live), classTimers6(subnet.timers, ex.ctx.config, ex.classes));
  r.ia.t1 = t1;
  r.ia.t2 = t2;
  return r;
}
