/**
 * Injected time (docs/ARCHITECTURE.md rule 3: "Time comes from an injected clock, so HA and reclamation tests run on fake
 * time"): the timer functions the reclaimers, the dhcp-disable max-period and the HA heartbeat use. The default is
 * the runtime's setTimeout/clearTimeout; tests hand in a fake that they advance by hand. Pure vocabulary, floor 0.
 */

/** setTimeout/clearTimeout, injectable. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The runtime's own timers. */
export const REAL_TIMERS: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as number),
};
