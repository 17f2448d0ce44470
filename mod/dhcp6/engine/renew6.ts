/**
 * RENEW and REBIND of one IA (RFC 8415 §18.3.4, §18.3.5; Kea's `extendIA_NA` / `extendIA_PD` and
 * `AllocEngine::renewLeases6`): the client's bindings of the IA get fresh lifetimes; a binding that no longer fits
 * is withdrawn; a client left without a binding gets a new one, as Kea allocates during renewals; whatever the
 * client listed but does not get comes back with lifetimes 0.
 */
import { type Ia, Status6 } from "../../packet6/packet.ts";
import { LeaseState } from "../../lease/types.ts";
import { bigToBytes, bothStats6, type Exchange6, fmt6 } from "./exchange6.ts";
import { candidateSubnets6 } from "./select_subnet6.ts";
import { reservedForOther6 } from "./host6.ts";
import { finishIa6, grant6, type Hint6, hints6, type IaResult6, KIND6, newResult6, onLink6, statusIa6 } from "./ia6.ts";
import { assignIa6 } from "./assign6.ts";
import { printableList } from "../../wire/printable.ts";

/** Adds `h` to the reply IA with preferred and valid lifetimes 0 (RFC 8415 §18.3.4: "not appropriate"). */
function zero6(r: IaResult6, h: { address: bigint; len: number }): void {
  if (r.ia.kind === "na") r.ia.addresses.push({ address: bigToBytes(h.address), preferred: 0, valid: 0, options: [] });
  else r.ia.prefixes.push({ preferred: 0, valid: 0, prefixLen: h.len, prefix: bigToBytes(h.address), options: [] });
}

/** Folds the result of a fresh allocation into the renewal's result. */
function absorb(into: IaResult6, from: IaResult6): void {
  into.ia.addresses.push(...from.ia.addresses);
  into.ia.prefixes.push(...from.ia.prefixes);
  if (from.ia.status) into.ia.status = from.ia.status;
  into.mutations.push(...from.mutations);
  into.stats.push(...from.stats);
  into.events.push(...from.events);
  into.log.push(...from.log);
  into.leases.push(...from.leases);
}

/** No subnet fits the client: RENEW gets NoBinding; REBIND gets its listed entries back with lifetimes 0. */
function noSubnet(ex: Exchange6, r: IaResult6, hints: Hint6[], rebind: boolean): IaResult6 {
  const listed = hints.filter((h) => h.address !== 0n);
  if (!rebind || !listed.length) {
    r.log.push({
      id: r.ia.kind === "na" ? "DHCP6_EXTEND_NA_UNKNOWN" : "DHCP6_EXTEND_PD_UNKNOWN",
      text: `${ex.client.label}: no subnet for the client's link; no known binding for iaid=${r.ia.iaid}`,
    });
    return statusIa6(r, Status6.NoBinding, "Sorry, no known leases for this duid/iaid.");
  }
  for (const h of listed) zero6(r, h);
  r.log.push({
    id: "DHCP6_REBIND_NOT_ON_LINK",
    text: `${ex.client.label}: REBIND for iaid=${r.ia.iaid} lists ${
      printableList(listed.map((h) => fmt6(h.address, h.len)))
    }, not appropriate for the client's link; lifetimes set to 0`,
  });
  return r;
}

/**
 * Extends one IA. Without a subnet for the client's link: RENEW → NoBinding (§18.3.4); REBIND → the listed
 * addresses/prefixes with lifetimes 0 (§18.3.5; Kea 2.2 answers NoBinding for an IA_NA and discards the whole
 * REBIND for an IA_PD instead). With a subnet: every binding of the IA (shared-network siblings included) that
 * still fits its subnet and is not reserved for another host is extended (lifetimes from the subnet's timers and
 * the client's hints, cltt now); one that no longer fits is deleted and returned with lifetimes 0. When no
 * binding is left, a new one is allocated as in a REQUEST (Kea's `renewLeases6` → `allocateUnreservedLeases6`),
 * with NoAddrsAvail / NoPrefixAvail when the pools are out. Listed entries the client does not end up holding
 * come back with lifetimes 0 (a zero prefix, a length-only hint, is not echoed).
 */
export function extendIa6(ex: Exchange6, ia: Ia, rebind: boolean, taken: Set<bigint>): IaResult6 {
  const r = newResult6(ia);
  const k = KIND6[ia.kind];
  const hints = hints6(ia);
  if (!ex.subnet) return noSubnet(ex, r, hints, rebind);
  const subnets = candidateSubnets6(ex.ctx.config, ex.subnet, ex.classes);
  for (const s of subnets) {
    for (const lease of ex.ctx.leases.byIa(ex.client.duid, ia.iaid, k.type, s.id)) {
      if (lease.state !== LeaseState.DEFAULT || taken.has(lease.address)) continue;
      const fits = onLink6(s, ia.kind, lease.address, lease.prefixLen) &&
        !reservedForOther6(ex.ctx.config, s, lease.address, lease.prefixLen, ex.client, ex.ctx.hosts);
      if (fits) {
        grant6(
          ex,
          r,
          s,
          ia.kind,
          lease.address,
          lease.prefixLen,
          hints.find((h) => h.address === lease.address),
          true,
          taken,
        );
        continue;
      }
      zero6(r, { address: lease.address, len: lease.prefixLen });
      taken.add(lease.address);
      r.mutations.push({ op: "del", address: lease.address });
      r.stats.push(...bothStats6(k.assigned, lease.subnetId, -1));
      r.log.push({
        id: "DHCP6_LEASE_WITHDRAWN",
        text: `${ex.client.label}: ${k.what} ${fmt6(lease.address, lease.prefixLen)} iaid=${ia.iaid} no longer fits ` +
          `subnet ${s.prefix} (or is reserved for another host); withdrawn with lifetimes 0`,
      });
    }
  }
  if (!r.leases.length) {
    r.log.push({
      id: "ALLOC_ENGINE_V6_EXTEND_ALLOC_UNRESERVED",
      text: `${ex.client.label}: no binding left for iaid=${ia.iaid}; allocating a new one during ${
        rebind ? "REBIND" : "RENEW"
      }`,
    });
    absorb(r, assignIa6(ex, ia, true, taken));
  }
  const held = new Set([...r.ia.addresses.map((a) => a.address), ...r.ia.prefixes.map((p) => p.prefix)]
    .map((b) => b.join(",")));
  for (const h of hints) {
    if (h.address !== 0n && !held.has(bigToBytes(h.address).join(","))) zero6(r, h);
  }
  const first = r.leases[0] && subnets.find((s) => s.id === r.leases[0].subnetId);
  r.ia.t1 = r.ia.t2 = 0;
  return finishIa6(ex, r, first);
}
