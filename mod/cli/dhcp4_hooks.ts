/**
 * The DHCPv4 role's lease hooks: `libdhcp_run_script.so` (Kea's run_script hook) wired to the server's committed
 * outcomes and the reclaimer's events. The script is checked when the role starts, as Kea checks it when it loads
 * the library: a missing or non-executable script refuses to start (exit 1). A reload re-reads the parameters.
 */
import type { Dhcp4Config, DhcpServerCommon } from "../config/model.ts";
import type { ServedInterface } from "../net/interfaces.ts";
import type { CommittedQuery } from "../dhcp4/server.ts";
import { committedCalls, reclaimCalls } from "../dhcp4/run_script4.ts";
import type { ReclaimEvent } from "../lease/reclaim_plan.ts";
import type { Log } from "../log/logger.ts";
import { toColonHex } from "../wire/addr.ts";
import { scriptPath, ScriptRunner } from "./script_runner.ts";

/** Kea's file name of the run_script hook library. */
export const RUN_SCRIPT_HOOK = "libdhcp_run_script.so";

/**
 * A reload is refused when its run_script entry names a script that cannot run (Kea fails to load the hook); both
 * families.
 */
export function leaseHooksBlocker(next: DhcpServerCommon): string | undefined {
  try {
    scriptOf(next);
    return undefined;
  } catch (e) {
    return `${RUN_SCRIPT_HOOK}: ${(e as Error).message}`;
  }
}

/** The lease hooks of a running role (the server's `leaseHooks`), for either family's queries, events, configs. */
export interface LeaseHooks<Q, E, C> {
  /** whether a script is configured now */
  active(): boolean;
  committed(c: Q): void;
  onReclaimed(events: E[]): void;
  /** a reload: the new configuration's script (checked by leaseHooksBlocker first) */
  reconfigure(next: C): void;
  close(): Promise<void>;
}

/** The DHCPv4 role's lease hooks. */
export type LeaseHooks4 = LeaseHooks<CommittedQuery, ReclaimEvent, Dhcp4Config>;

/**
 * The script of a configuration's run_script entry, or undefined when it has none (throws Kea's message when
 * unusable); both families.
 */
export function scriptOf(config: DhcpServerCommon): string | undefined {
  const file = config.hooks.find((h) => h.endsWith(RUN_SCRIPT_HOOK));
  return file === undefined ? undefined : scriptPath(config.hookParameters.get(file));
}

/** Where a datagram arrived, as Kea's QUERY<v>_LOCAL_* / REMOTE_* / IFACE_* show it (either family's addresses). */
export function arrivalOf<A>(
  d: { dstAddr: A; srcAddr: A; srcPort: number; ifindex: number; iface: string },
  serverPort: number,
) {
  return {
    localAddr: d.dstAddr,
    localPort: serverPort,
    remoteAddr: d.srcAddr,
    remotePort: d.srcPort,
    ifaceIndex: d.ifindex,
    ifaceName: d.iface,
  };
}

/** The running script of a role's run_script entry, replaced when a reload names another (both families). */
export interface ScriptHost {
  /** the runner of the configured script (undefined: none configured) */
  readonly runner: ScriptRunner | undefined;
  /** a reload: the new configuration's script (checked by leaseHooksBlocker first) */
  reconfigure(next: DhcpServerCommon): void;
  close(): Promise<void>;
}

/** Opens the script `config` names (throws Kea's message when it cannot run), logging RUN_SCRIPT_LOAD as Kea. */
export function openScriptHost(config: DhcpServerCommon, log: Log): ScriptHost {
  const open = (path: string | undefined) => {
    if (path !== undefined) log.info("RUN_SCRIPT_LOAD", `run_script hooks library has been loaded: ${path}`);
    return path === undefined ? undefined : new ScriptRunner(path, log);
  };
  let runner = open(scriptOf(config));
  return {
    get runner() {
      return runner;
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
  const host = openScriptHost(config, log);
  const macs = new Map(served.map((s) => [s.name, toColonHex(s.mac)]));
  return {
    active: () => host.runner !== undefined,
    committed(c) {
      const runner = host.runner;
      if (!runner) return;
      const d = c.datagram;
      runner.run(committedCalls({
        query: c.query,
        arrival: { ...arrivalOf(d, serverPort), ifaceMac: macs.get(d.iface) ?? "" },
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
      host.runner?.run(reclaimCalls(events));
    },
    reconfigure: (next) => host.reconfigure(next),
    close: () => host.close(),
  };
}
