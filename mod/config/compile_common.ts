/**
 * The parts of the Dhcp4 and Dhcp6 compilers that follow the same Kea rules in both universes: the maps kea-dhcp4
 * and kea-dhcp6 share (`lease-database`, `expired-leases-processing`, `loggers`, `hooks-libraries`,
 * `control-socket(s)`, `decline-probation-period`) compiled with Kea's defaults into model.ts's
 * DhcpServerCommon. compile4.ts and compile6.ts call it with their universe's default file and logger names;
 * compile_d2.ts uses the `loggers` and control-socket steps for `DhcpDdns`.
 */

import { EXPIRED_LEASES_DEFAULTS, LEASE_DATABASE_DEFAULTS, LOGGER_DEFAULTS } from "./defaults.ts";
import type { ControlSocketSpec, DhcpServerCommon, ExpiredLeasesProcessing, LoggerSpec } from "./model.ts";
import type { Dhcp4In } from "./schema4.ts";
import type { LoggerIn } from "./schema_daemon.ts";
import type { ControlSocketIn } from "./schema_control.ts";
import { compileServerTuning, type ServerKeysIn } from "./compile_server.ts";
import type { Problems } from "./errors.ts";
import { checkSslModes, compileDbAccess, compileHostsDbs, describeDb } from "./compile_db.ts";

/** The shared maps of a validated Dhcp4 or Dhcp6 map (Dhcp6 has no `control-sockets` list). */
export type ServerCommonIn =
  & Pick<
    Dhcp4In,
    | "lease-database"
    | "expired-leases-processing"
    | "loggers"
    | "hooks-libraries"
    | "control-socket"
    | "decline-probation-period"
    | "hosts-database"
    | "hosts-databases"
  >
  & { "control-sockets"?: Dhcp4In["control-sockets"] }
  & ServerKeysIn;

/** A universe's defaults for the shared maps. */
export interface ServerCommonDefaults {
  /** the memfile CSV and the KV file when `lease-database` names none (Kea: kea-leases4.csv / kea-leases6.csv) */
  leaseFiles: { memfileName: string; kvName: string };
  declineProbationPeriod: number;
  /** the root logger's name when `loggers` is absent ("kea-dhcp4" / "kea-dhcp6") */
  rootLogger: string;
  /** the map's name and its packet queue type (server-wide keys: compile_server.ts) */
  root: "Dhcp4" | "Dhcp6";
  ring: "kea-ring4" | "kea-ring6";
}

/** The KV file beside a memfile CSV: the CSV name with its extension replaced by `.kv`. */
export function kvPathFor(csvName: string): string {
  const slash = csvName.lastIndexOf("/");
  const dot = csvName.lastIndexOf(".");
  return (dot > slash + 1 ? csvName.slice(0, dot) : csvName) + ".kv";
}

/** A `loggers` entry with Kea's defaults applied (Kea's logging.rst; the same in every daemon). */
function logger(l: LoggerIn): LoggerSpec {
  const outs = l["output-options"] ?? l.output_options ?? [{ output: LOGGER_DEFAULTS.output }];
  return {
    name: l.name,
    severity: l.severity ?? LOGGER_DEFAULTS.severity,
    debuglevel: l.debuglevel ?? LOGGER_DEFAULTS.debuglevel,
    outputs: outs.map((o) => ({
      output: o.output,
      flush: o.flush ?? LOGGER_DEFAULTS.flush,
      maxsize: o.maxsize ?? LOGGER_DEFAULTS.maxsize,
      maxver: o.maxver ?? LOGGER_DEFAULTS.maxver,
      ...(o.pattern !== undefined ? { pattern: o.pattern } : {}),
    })),
  };
}

/**
 * Compiles a daemon's `loggers` list with Kea's defaults (severity INFO, debuglevel 0, one stdout output, flush,
 * maxsize 10240000, maxver 1). Without a list, `rootLogger` names the one logger Kea's DHCP servers start with
 * (INFO to stdout); D2 passes none and gets an empty list (the logging setup then applies its own default).
 */
export function compileLoggers(list: readonly LoggerIn[] | undefined, rootLogger?: string): LoggerSpec[] {
  return (list ?? (rootLogger !== undefined ? [{ name: rootLogger }] : [])).map(logger);
}

/** `expired-leases-processing` with Kea's defaults (Kea ARM "Lease Reclamation": 10 s, 25 s, 3600 s, 100, 250 ms, 5). */
function expired(d: ServerCommonIn): ExpiredLeasesProcessing {
  const e = d["expired-leases-processing"] ?? {};
  const D = EXPIRED_LEASES_DEFAULTS;
  return {
    reclaimTimerWaitTime: e["reclaim-timer-wait-time"] ?? D["reclaim-timer-wait-time"],
    flushReclaimedTimerWaitTime: e["flush-reclaimed-timer-wait-time"] ?? D["flush-reclaimed-timer-wait-time"],
    holdReclaimedTime: e["hold-reclaimed-time"] ?? D["hold-reclaimed-time"],
    maxReclaimLeases: e["max-reclaim-leases"] ?? D["max-reclaim-leases"],
    maxReclaimTime: e["max-reclaim-time"] ?? D["max-reclaim-time"],
    unwarnedReclaimCycles: e["unwarned-reclaim-cycles"] ?? D["unwarned-reclaim-cycles"],
  };
}

/**
 * `control-socket` (Kea 2.2) and then the entries of `control-sockets` (newer Kea), each as configured; the same
 * for every daemon that has a control channel (Dhcp4, Dhcp6, DhcpDdns).
 */
export function compileControlSockets(
  single: ControlSocketIn | undefined,
  list: readonly ControlSocketIn[] | undefined,
): ControlSocketSpec[] {
  const sockets = [...(single ? [single] : []), ...(list ?? [])];
  return sockets.map((s) => {
    const spec: ControlSocketSpec = { type: s["socket-type"], raw: { ...s } };
    if (s["socket-name"] !== undefined) spec.name = s["socket-name"];
    if (s["socket-address"] !== undefined) spec.address = s["socket-address"];
    if (s["socket-port"] !== undefined) spec.port = s["socket-port"];
    return spec;
  });
}

/**
 * Compiles the maps kea-dhcp4 and kea-dhcp6 share, with Kea's defaults: the lease database (a memfile keeps its
 * CSV name and is stored in the KV file beside it), decline probation, expired-lease processing, loggers (the
 * universe's root logger when none), the built-in hooks by file name with their parameters, and the control
 * sockets, and the server-wide keys (compile_server.ts). `raw` is the validated map itself.
 */
export function compileServerCommon(
  d: ServerCommonIn,
  defaults: ServerCommonDefaults,
  problems: Problems,
): DhcpServerCommon {
  const ld = d["lease-database"];
  const type = (ld?.type ?? LEASE_DATABASE_DEFAULTS.type) as DhcpServerCommon["lease"]["type"];
  const db = ld && (type === "postgresql" || type === "mysql") ? compileDbAccess(ld) : undefined;
  const csvName = type === "memfile" ? ld?.name ?? defaults.leaseFiles.memfileName : undefined;
  checkSslModes(d, defaults.root, problems);
  const hooks = (d["hooks-libraries"] ?? []).map((h) => ({
    file: h.library.slice(h.library.lastIndexOf("/") + 1),
    parameters: h.parameters ?? {},
  }));
  return {
    lease: {
      type,
      path: db ? describeDb(db) : csvName !== undefined ? kvPathFor(csvName) : ld?.name ?? defaults.leaseFiles.kvName,
      ...(csvName !== undefined ? { csvName } : {}),
      ...(db ? { db } : {}),
      persist: ld?.persist ?? LEASE_DATABASE_DEFAULTS.persist,
    },
    hostsDbs: compileHostsDbs(d["hosts-database"], d["hosts-databases"]),
    declineProbationPeriod: d["decline-probation-period"] ?? defaults.declineProbationPeriod,
    expired: expired(d),
    loggers: compileLoggers(d.loggers, defaults.rootLogger),
    hooks: hooks.map((h) => h.file),
    hookParameters: new Map(hooks.map((h) => [h.file, h.parameters])),
    controlSockets: compileControlSockets(d["control-socket"], d["control-sockets"]),
    tuning: compileServerTuning(d, defaults.root, defaults.ring, problems),
    raw: d as Record<string, unknown>,
  };
}
