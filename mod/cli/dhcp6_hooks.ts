/**
 * The DHCPv6 role's lease hooks: `libdhcp_run_script.so` (Kea's run_script hook, DHCPv6 hook points of
 * mod/dhcp6/run_script6.ts) wired to the server's committed replies and the reclaimer's events. The script is
 * checked when the role starts, as kea-dhcp6 checks it when it loads the library: a missing or non-executable
 * script refuses to start (exit 1). A reload re-reads the parameters (leaseHooksBlocker refuses an unusable one).
 */
import type { Dhcp6Config } from "../config/model6.ts";
import type { CommittedQuery6 } from "../dhcp6/server6.ts";
import { committedCalls6, reclaimCalls6 } from "../dhcp6/run_script6.ts";
import type { ReclaimEvent6 } from "../lease/reclaim6.ts";
import type { Log } from "../log/logger.ts";
import { arrivalOf, type LeaseHooks, openScriptHost } from "./dhcp4_hooks.ts";

/** The DHCPv6 role's lease hooks (the server's `leaseHooks`). */
export type LeaseHooks6 = LeaseHooks<CommittedQuery6, ReclaimEvent6, Dhcp6Config>;

/**
 * Opens the hooks `config` names (inactive when none: a reload may add them), or throws with Kea's message when the
 * script cannot run.
 */
export function openLeaseHooks6(config: Dhcp6Config, log: Log): LeaseHooks6 {
  const host = openScriptHost(config, log);
  return {
    active: () => host.runner !== undefined,
    committed(c) {
      host.runner?.run(committedCalls6({
        query: c.query,
        replyType: c.replyType,
        // kea-dhcp6 2.2's socket filter (PktFilterInet6) never sets a query's local port: QUERY6_LOCAL_PORT is 0
        arrival: arrivalOf(c.datagram, 0),
        mutations: c.mutations,
        events: c.events,
        before: c.before,
      }));
    },
    onReclaimed(events) {
      host.runner?.run(reclaimCalls6(events));
    },
    reconfigure: (next) => host.reconfigure(next),
    close: () => host.close(),
  };
}
