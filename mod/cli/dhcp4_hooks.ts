/**
 * The DHCPv4 role's lease hooks: `libdhcp_run_script.so` (Kea's run_script hook) wired to the server's committed
 * outcomes and the reclaimer's events. The script is checked when the role starts, as Kea checks it when it loads
 * the library: a missing or non-executable script refuses to start (exit 1). A reload re-reads the parameters.
 */
import type { Dhcp4Config } from "../config/model.ts";
import type { ServedInterface } from "../net/interfaces.ts";
import type { CommittedQuery } from "../dhcp4/server.ts";
import { committedCalls, reclaimCalls } from "../dhcp4/run_script4.ts";
import type { ReclaimEvent } from "../lease/reclaim_plan.ts";
import type { Log } from "../log/logger.ts";
import { toColonHex } from "../wire/addr.ts";
import { scriptPath, ScriptRunner } from "./script_runner.ts";

/** Kea's file name of the run_script hook library. */
export const RUN_SCRIPT_HOOK = "libdhcp_run_script.so";

/** A reload is refused when its run_script entry names a script that cannot run (Kea fails to load the hook). */
export function leaseHooksBlocker(next: Dhcp4Config): string | undefined {
  try {
    scriptOf(next);
    return undefined;
  } catch (e) {
    return `${RUN_SCRIPT_HOOK}: ${(e as Error).message}`;
  }
}

/** The lease hooks of a running role (the server's `leaseHooks`). */
export interface LeaseHooks4 {
  /** whether a script is configured now */
  active(): boolean;
  committed(c: CommittedQuery): void;
  onReclaimed(events: ReclaimEvent[]): void;
  /** a reload: the new configuration's script (checked by leaseHooksBlocker first) */
  reconfigure(next: Dhcp4Config): void;
  close(): Promise<void>;
}

/** The script of a configuration's run_script entry, or undefined when it has none (throws when unusable). */
function scriptOf(config: Dhcp4Config): string | undefined {
  const file = config.hooks.find((h) => h.endsWith(RUN_SCRIPT_HOOK));
  return file === undefined ? undefined : scriptPath(config.hookParameters.get(file));
}

/**
 * Opens the hooks `config` names (inactive when none: a reload may add them), or throws with Kea's message when the
 * script cannot run. `served` gives the arrival interfaces' MACs; `serverPort` is the port queries arrive on (67).
 */
export function openLeaseHooks4(
  config: Dhcp4Config,
  served: readonly ServedInterface[],
  serverPort: number,
  log: Log,
  current: () => Dhcp4Config,
): LeaseHooks4 {
  const open = (path: string | undefined) => {
    if (path !== undefined) log.info("RUN_SCRIPT_LOAD", `run_script hooks library has been loaded: ${path}`);
    return path === undefined ? undefined : new ScriptRunner(path, log);
  };
  let runner = open(scriptOf(config));
  const macs = new Map(served.map((s) => [s.name, toColonHex(s.mac)]));
  return {
    active: () => runner !== undefined,
    committed(c) {
      if (!runner) return;
      const d = c.datagram;
      runner.run(committedCalls({
        query: c.query,
        arrival: {
          localAddr: d.dstAddr,
          localPort: serverPort,
          remoteAddr: d.srcAddr,
          remotePort: d.srcPort,
          ifaceIndex: d.ifindex,
          ifaceName: d.iface,
          ifaceMac: macs.get(d.iface) ?? "",
        },
        mutations: c.mutations,
        events: c.events,
        before: c.before,
        subnet: (id) => {
          const s = current().subnets.find((x) => x.id === id);
          return s && { id: s.id, prefix: s.prefix };
        },
      }));
    },
    onReclaimed(events) {
      runner?.run(reclaimCalls(events));
    },
    reconfigure(next) {
      const p = scriptOf(next);
      if (p === runner?.path) return;
      const old = runner;
      runner = open(p);
      void old?.close();
    },
    close: () => runner?.close() ?? Promise.resolve(),
  };
}
