/**
 * Whether a reload may go ahead as far as High Availability goes (Kea's libdhcp_ha.so parameters), apart from the
 * HA wiring of mod/cli/ha_wiring.ts so that a role without HA checks its reloads without loading mod/ha (issue 16
 * item 5).
 */
import type { HaConfig } from "../config/model_ha.ts";

function haText(h: HaConfig | undefined): string {
  return JSON.stringify(h ?? null, (_k, v) => v instanceof Map ? [...v.entries()] : v);
}

/**
 * A reload may not add, drop or change the HA relationship: Kea rebuilds the HA service on reconfiguration, which
 * restarts the state machine in waiting; weka asks for a restart instead. Undefined when the reload can go ahead.
 */
export function haReloadBlocker(old: { ha?: HaConfig }, next: { ha?: HaConfig }): string | undefined {
  if (haText(old.ha) === haText(next.ha)) return undefined;
  return "the high-availability configuration (libdhcp_ha.so parameters) cannot change on reload; restart weka " +
    "(the HA pair then synchronises again)";
}
