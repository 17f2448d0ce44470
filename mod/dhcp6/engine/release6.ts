/**
 * RELEASE and DECLINE (RFC 8415 §18.3.7, §18.3.8; Kea's `releaseIA_NA` / `releaseIA_PD`, `declineIA` and
 * `declineLease`): the client gives bindings back, or reports an address in use by another node.
 */
import { type Ia, MsgType6, Status6 } from "../../packet6/packet.ts";
import { LeaseState } from "../../lease/types.ts";
import type { Lease6, Lease6Mutation } from "../../lease/types6.ts";
import { bothStats6, type Exchange6, fmt6, statusOption } from "./exchange6.ts";
import { hints6, type IaResult6, KIND6, newResult6, statusIa6 } from "./ia6.ts";
import { reply6 } from "./reply6.ts";
import type { Outcome6 } from "./types.ts";

/** The lease of `a` when it is this client's binding in this IA (DUID, IAID and type match, state assigned). */
function ownLease(ex: Exchange6, ia: Ia, a: bigint): Lease6 | undefined {
  const l = ex.ctx.leases.byAddress(a);
  if (!l || l.state !== LeaseState.DEFAULT) return undefined;
  return l.duid === ex.client.duid && l.iaid === ia.iaid && l.type === KIND6[ia.kind].type ? l : undefined;
}

/**
 * RELEASE → REPLY. Each listed address/prefix that is the client's binding in that IA is deleted (Kea 2.2
 * removes released leases) and leaves `assigned-nas` / `assigned-pds`; an IA whose every entry was released
 * gets Success, one with an unknown or foreign entry gets NoBinding. The top-level status summarises: Success
 * when every IA succeeded, else NoBinding (Kea's "general status").
 */
export function handleRelease6(ex: Exchange6): Outcome6 {
  let all = true;
  const ias = ex.msg.ias.map((ia) => {
    const r = newResult6(ia);
    const k = KIND6[ia.kind];
    let ok = true;
    const hints = hints6(ia);
    for (const h of hints) {
      const l = ownLease(ex, ia, h.address);
      if (!l) {
        ok = false;
        r.log.push({
          id: ia.kind === "na" ? "DHCP6_RELEASE_NA_FAIL" : "DHCP6_RELEASE_PD_FAIL",
          text: `${ex.client.label}: cannot release ${k.what} ${fmt6(h.address, h.len)} iaid=${ia.iaid}: ` +
            `no such lease of this client`,
        });
        continue;
      }
      r.mutations.push({ op: "del", address: l.address });
      r.stats.push(...bothStats6(k.assigned, l.subnetId, -1));
      r.events.push({
        kind: "release",
        type: ia.kind,
        address: l.address,
        prefixLen: l.prefixLen,
        subnetId: l.subnetId,
      });
      r.log.push({
        id: ia.kind === "na" ? "DHCP6_RELEASE_NA" : "DHCP6_RELEASE_PD",
        text: `${ex.client.label}: ${k.what} ${fmt6(l.address, l.prefixLen)} iaid=${ia.iaid} was released properly`,
      });
    }
    if (!hints.length) ok = false;
    all &&= ok;
    return ok
      ? statusIa6(r, Status6.Success, "All addresses released.")
      : statusIa6(r, Status6.NoBinding, "Sorry, no known leases for this duid/iaid, can't release.");
  });
  const summary = all ? Status6.Success : Status6.NoBinding;
  return reply6(ex, MsgType6.REPLY, {
    ias,
    extra: [statusOption(summary, "Summary status for all processed IA_NAs")],
  });
}

/**
 * DECLINE → REPLY. Each listed address that is the client's binding becomes declined for
 * `decline-probation-period` seconds (preferred 0, DUID "00", hardware address and host name cleared, as Kea's
 * `Lease6::decline` does) and `declined-addresses` goes up (global and subnet; `assigned-nas` stays until
 * reclamation, as in Kea). An IA with an unknown or foreign address gets NoBinding, else Success; the reply
 * carries a top-level Success (§18.3.8). IA_PD entries are not declinable and get NoBinding.
 */
export function handleDecline6(ex: Exchange6): Outcome6 {
  const probation = ex.ctx.config.declineProbationPeriod;
  const ias: IaResult6[] = ex.msg.ias.map((ia) => {
    const r = newResult6(ia);
    let ok = ia.kind === "na" && ia.addresses.length > 0;
    for (const h of ia.kind === "na" ? hints6(ia) : []) {
      const l = ownLease(ex, ia, h.address);
      if (!l) {
        ok = false;
        continue;
      }
      const declined: Lease6 = {
        ...l,
        duid: "00",
        hwaddr: "",
        hostname: "",
        fqdnFwd: false,
        fqdnRev: false,
        preferredLifetime: 0,
        validLifetime: probation,
        cltt: ex.ctx.now,
        state: LeaseState.DECLINED,
      };
      const m: Lease6Mutation = { op: "put", lease: declined };
      r.mutations.push(m);
      r.stats.push(...bothStats6("declined-addresses", l.subnetId, 1));
      r.events.push({ kind: "decline", type: "na", address: l.address, prefixLen: 128, subnetId: l.subnetId });
      r.log.push({
        id: "DHCP6_DECLINE_LEASE",
        text: `${ex.client.label}: client sent DECLINE for address ${fmt6(l.address)} and the server marked it ` +
          `as declined. The lease will be recovered in ${probation} seconds.`,
      });
    }
    return ok
      ? statusIa6(r, Status6.Success, "Lease declined. Hopefully the next one will be better.")
      : statusIa6(r, Status6.NoBinding, "Server does not know about such an address.");
  });
  return reply6(ex, MsgType6.REPLY, { ias, extra: [statusOption(Status6.Success, "Decline processed.")] });
}
