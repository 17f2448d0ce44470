/**
 * Assigning one IA in a SOLICIT (advertise only), a REQUEST, a rapid-commit SOLICIT or a REBIND that finds no
 * binding (RFC 8415 §18.3.1, §18.3.2; Kea's `assignIA_NA` / `assignIA_PD` and `AllocEngine::allocateLeases6`):
 * the client's existing binding first, then its reservation, then its hints, then the pools.
 */
import type { Ia } from "../../packet6/packet.ts";
import type { PdPool6, Pool6, Subnet6 } from "../../config/model6.ts";
import { LeaseState } from "../../lease/types.ts";
import { bothStats6, type Exchange6 } from "./exchange6.ts";
import { candidateSubnets6 } from "./select_subnet6.ts";
import {
  finishIa6,
  freeFor6,
  grant6,
  type Hint6,
  hints6,
  type IaResult6,
  inPdPool6,
  KIND6,
  newResult6,
  onLink6,
  poolAllowed6,
  poolOf6,
  statusIa6,
} from "./ia6.ts";

/** The client's current bindings of this IA in the candidate subnets that still fit them. */
function existing6(ex: Exchange6, ia: Ia, subnets: Subnet6[], taken: ReadonlySet<bigint>) {
  const out: { subnet: Subnet6; address: bigint; len: number }[] = [];
  for (const s of subnets) {
    for (const l of ex.ctx.leases.byIa(ex.client.duid, ia.iaid, KIND6[ia.kind].type, s.id)) {
      if (l.state !== LeaseState.DEFAULT || taken.has(l.address)) continue;
      if (!onLink6(s, ia.kind, l.address, l.prefixLen)) continue;
      if (!freeFor6(ex, s, ia.kind, ia.iaid, l.address, l.prefixLen, taken)) continue;
      out.push({ subnet: s, address: l.address, len: l.prefixLen });
    }
  }
  return out;
}

/** A reserved address or prefix of the client's host that is still free for it (Kea: one per IA). */
function reserved6(ex: Exchange6, ia: Ia, subnets: Subnet6[], taken: ReadonlySet<bigint>) {
  const res = ex.host?.res;
  if (!res) return undefined;
  const wanted = ia.kind === "na"
    ? res.addresses.map((a) => ({ address: a, len: 128 }))
    : res.prefixes.map((p) => ({ address: p.prefix, len: p.len }));
  for (const w of wanted) {
    // A reserved prefix need not lie in a pd-pool (Kea does not check it against the subnet): the selected subnet.
    const s = ia.kind === "na" ? subnets.find((x) => onLink6(x, "na", w.address, 128)) : subnets[0];
    if (s && freeFor6(ex, s, ia.kind, ia.iaid, w.address, w.len, taken)) return { subnet: s, ...w };
  }
  return undefined;
}

/** The first hint that lies in an allowed pool of a candidate subnet and is free for the client. */
function hinted6(ex: Exchange6, ia: Ia, subnets: Subnet6[], hints: Hint6[], taken: ReadonlySet<bigint>) {
  for (const h of hints) {
    if (h.address === 0n) continue;
    for (const s of subnets) {
      const pool = poolOf6(s, ia.kind, h.address, h.len);
      if (!pool || !poolAllowed6(pool, ex.classes)) continue;
      if (freeFor6(ex, s, ia.kind, ia.iaid, h.address, h.len, taken)) {
        return { subnet: s, address: h.address, len: h.len };
      }
    }
  }
  return undefined;
}

/** A fresh address or prefix from the allocator; pd-pools whose delegated length matches the hint go first. */
function fromPools6(ex: Exchange6, ia: Ia, subnets: Subnet6[], hints: Hint6[], taken: ReadonlySet<bigint>) {
  const alloc = ex.ctx.allocator;
  for (const s of subnets) {
    if (ia.kind === "na") {
      for (let i = 0; i < s.pools.length; i++) {
        if (!poolAllowed6(s.pools[i], ex.classes)) continue;
        const a = alloc.findAddress(s, i, (c) => freeFor6(ex, s, "na", ia.iaid, c, 128, taken));
        if (a !== undefined) return { subnet: s, address: a, len: 128 };
      }
      continue;
    }
    const lenHint = hints.find((h) => h.len > 0 && h.len < 128)?.len;
    const order = s.pdPools.map((_, i) => i).sort((x, y) =>
      Number(s.pdPools[y].delegatedLen === lenHint) - Number(s.pdPools[x].delegatedLen === lenHint)
    );
    for (const i of order) {
      const pool = s.pdPools[i];
      if (!poolAllowed6(pool, ex.classes)) continue;
      const p = alloc.findPrefix(
        s,
        i,
        (c) => inPdPool6(pool, c, pool.delegatedLen) && freeFor6(ex, s, "pd", ia.iaid, c, pool.delegatedLen, taken),
      );
      if (p !== undefined) return { subnet: s, address: p, len: pool.delegatedLen };
    }
  }
  return undefined;
}

/** Kea's `v6-allocation-fail` and the statistic naming why (no pools, classes, shared network, subnet). */
function failStats6(ex: Exchange6, ia: Ia, subnets: Subnet6[]) {
  const pools = subnets.flatMap((s): (Pool6 | PdPool6)[] => ia.kind === "na" ? s.pools : s.pdPools);
  const why = !pools.length
    ? "v6-allocation-fail-no-pools"
    : !pools.some((p) => poolAllowed6(p, ex.classes))
    ? "v6-allocation-fail-classes"
    : subnets[0].sharedNetwork
    ? "v6-allocation-fail-shared-network"
    : "v6-allocation-fail-subnet";
  return [...bothStats6("v6-allocation-fail", subnets[0].id, 1), ...bothStats6(why, subnets[0].id, 1)];
}

/**
 * Assigns one IA_NA or IA_PD. Without a selected subnet the IA carries NoAddrsAvail / NoPrefixAvail ("Server
 * could not select subnet for this client", as Kea says). Otherwise, in Kea's order: every existing binding of
 * this IA that still fits the subnet (shared-network siblings included), else one reserved address/prefix of the
 * client's host, else the first usable hint, else the next free one from the allowed pools; when nothing is
 * left the IA carries NoAddrsAvail / NoPrefixAvail and `v6-allocation-fail*` is counted. `commit` false is the
 * ADVERTISE case: nothing is written and no gauge moves. `taken` collects what this exchange has granted.
 */
export function assignIa6(ex: Exchange6, ia: Ia, commit: boolean, taken: Set<bigint>): IaResult6 {
  const r = newResult6(ia);
  const k = KIND6[ia.kind];
  if (!ex.subnet) return statusIa6(r, k.none, "Server could not select subnet for this client");
  const subnets = candidateSubnets6(ex.ctx.config, ex.subnet, ex.classes);
  const hints = hints6(ia);
  const hintFor = (a: bigint) => hints.find((h) => h.address === a);
  const current = existing6(ex, ia, subnets, taken);
  if (current.length) {
    for (const c of current) grant6(ex, r, c.subnet, ia.kind, c.address, c.len, hintFor(c.address), commit, taken);
    return finishIa6(ex, r, current[0].subnet);
  }
  const pick = reserved6(ex, ia, subnets, taken) ?? hinted6(ex, ia, subnets, hints, taken) ??
    fromPools6(ex, ia, subnets, hints, taken);
  if (!pick) {
    r.stats.push(...failStats6(ex, ia, subnets));
    r.log.push({
      id: commit
        ? (ia.kind === "na" ? "DHCP6_LEASE_ALLOC_FAIL" : "DHCP6_PD_LEASE_ALLOC_FAIL")
        : "DHCP6_LEASE_ADVERT_FAIL",
      text: `${ex.client.label}: failed to ${commit ? "allocate" : "advertise"} a ${k.what} for iaid=${ia.iaid}: ` +
        `the ${
          ia.kind === "na" ? "pools" : "pd-pools"
        } of subnet ${ex.subnet.prefix} (id ${ex.subnet.id}) have nothing free ` +
        `for this client`,
    });
    return statusIa6(r, k.none, k.noneText);
  }
  grant6(ex, r, pick.subnet, ia.kind, pick.address, pick.len, hintFor(pick.address) ?? hints[0], commit, taken);
  return finishIa6(ex, r, pick.subnet);
}
