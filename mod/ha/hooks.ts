/**
 * The HA service's hooks into a DHCP server of either family (Kea's libdhcp_ha.so callouts), declared by mod/ha so
 * that the server edges (floor 6) import them from the HA service (floor 5), never the other way round.
 */
import type { Packet4 } from "../packet4/packet.ts";
import type { LeaseMutation } from "../lease/types.ts";

/**
 * What the server asks of the HA service (mod/ha/service.ts, Kea's libdhcp_ha.so callouts) when a relationship is
 * configured; absent = a standalone server. `admit` is Kea's buffer4_receive / buffer6_receive callout: it decides
 * whether this server serves the query now (its scopes, its HA state) and names the query's HA class. `replicate`
 * is Kea's leases4_committed / leases6_committed callout: it runs after the lease mutations are durable and before the reply is sent.
 */
export interface HaHooks<Q = Packet4, M = LeaseMutation, L = unknown> {
  /** undefined: drop the query (the hook counts and logs why); a string: serve it, with this HA class ("" = none) */
  admit(query: Q, nowMs: number): string | undefined;
  /**
   * Sends the durable mutations to the partner; the reply is sent when the promise resolves and dropped when it
   * rejects (the partner did not acknowledge). undefined = nothing to wait for (no update needed or queued).
   * `previous` gives a deleted lease as it was before the commit (DHCPv6's lease6-bulk-apply sends it whole).
   */
  replicate(mutations: readonly M[], query: Q, previous?: (m: M) => L | undefined): Promise<void> | undefined;
}
