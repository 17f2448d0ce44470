/**
 * Compiles the server-wide keys of a Dhcp4 or Dhcp6 map (schema_server.ts) into the model's ServerTuning, with
 * Kea 2.2's defaults (defaults.ts SERVER_DEFAULTS), and records one INFO notice per key whose meaning weka maps
 * onto its own design (README "Configuration reference"): weka handles packets on one event loop and overlaps their
 * lease commits, so Kea's thread pool and packet queue come down to the size of a receive round.
 */
import { SERVER_DEFAULTS, WEKA_BOUNDS } from "./defaults.ts";
import { type JsonPath, Problems } from "./errors.ts";
import type { ServerTuning } from "./model.ts";
import type { DhcpQueueControlIn, MultiThreadingIn } from "./schema_server.ts";

/** The server-wide keys of a validated Dhcp4 or Dhcp6 map. */
export interface ServerKeysIn {
  "multi-threading"?: MultiThreadingIn;
  "dhcp-queue-control"?: DhcpQueueControlIn;
  "parked-packet-limit"?: number;
  "server-tag"?: string;
  "sanity-checks"?: {
    "lease-checks"?: ServerTuning["leaseChecks"];
    "extended-info-checks"?: ServerTuning["extendedInfoChecks"];
  };
  "statistic-default-sample-count"?: number;
  "statistic-default-sample-age"?: number;
  "early-global-reservations-lookup"?: boolean;
  "reservations-lookup-first"?: boolean;
}

/**
 * The one warning for Kea's `config-control` (configuration backend): weka does not read the configuration
 * database; it serves the file's configuration, which config-set and config-write change through the control
 * channel. When the file holds no subnet at all, the warning says that nothing is leased until config-set adds one.
 */
export function warnConfigControl(
  d: { "config-control"?: unknown },
  root: "Dhcp4" | "Dhcp6",
  subnets: number,
  problems: Problems,
): void {
  if (d["config-control"] === undefined) return;
  problems.warn(
    [root, "config-control"],
    "configuration backends ('config-control') are not read by weka: it serves only this file's configuration " +
      "(config-set and config-write change it through the control channel); subnets, options and classes kept in " +
      "the configuration database are not served" +
      (subnets === 0
        ? ` — this file defines no ${root === "Dhcp4" ? "subnet4" : "subnet6"}, so no lease is ` +
          "given until config-set adds one"
        : ""),
    true,
  );
}

/**
 * One warning per subnet4 that sets a `4o6-*` key: they select a subnet for DHCPv4-over-DHCPv6 (RFC 7341) queries,
 * which reach a server only through its `dhcp4o6-port`; weka takes only 0 there (Kea's default: no such queries),
 * so the keys have no effect, as in Kea with the same configuration.
 */
export function warnInert4o6(
  entries: { subnet: Record<string, unknown>; path: JsonPath }[],
  problems: Problems,
): void {
  for (const { subnet, path } of entries) {
    for (const key of ["4o6-interface", "4o6-interface-id", "4o6-subnet"]) {
      if (subnet[key] === undefined || subnet[key] === "") continue;
      problems.warn(
        [...path, key],
        `'${key}' has no effect: DHCPv4-over-DHCPv6 (RFC 7341) queries come only through 'dhcp4o6-port', which is ` +
          "0 (weka does not serve DHCPv4-over-DHCPv6)",
        true,
      );
    }
  }
}

/**
 * Kea 3.1's `adaptive-lease-time-threshold` (schema_server.ts adaptiveParams): Kea applies it only where the flq
 * allocator allocates (`allocator` for DHCPv4 addresses, `pd-allocator` for DHCPv6 prefixes). weka's flq does not
 * shorten lifetimes yet, so a threshold below 1 reaching an flq subnet is refused there; elsewhere each scope that
 * sets it gets a notice that it has no effect (as in Kea).
 */
export function checkAdaptive(
  { scopes, subnets }: {
    scopes: { path: JsonPath; own?: number }[];
    subnets: { path: JsonPath; threshold?: number; flq: boolean }[];
  },
  problems: Problems,
): void {
  let refused = false;
  for (const s of subnets) {
    if (!s.flq || s.threshold === undefined || s.threshold >= 1) continue;
    refused = true;
    problems.add(
      s.path,
      `'adaptive-lease-time-threshold' ${s.threshold} applies to this subnet, which allocates with flq: not ` +
        "supported by weka yet (weka's flq grants the usual lifetimes whatever the pool occupancy; remove the " +
        "threshold or set it to 1)",
      true,
    );
  }
  if (refused) return;
  for (const sc of scopes) {
    if (sc.own === undefined) continue;
    problems.info(
      [...sc.path, "adaptive-lease-time-threshold"],
      "no effect: Kea applies adaptive-lease-time-threshold only where the flq allocator allocates, and no subnet " +
        "under this scope uses flq",
    );
  }
}

type AltScope = { "adaptive-lease-time-threshold"?: number };

/**
 * The scopes that may set `adaptive-lease-time-threshold` (global, shared networks, subnets) and each subnet's
 * threshold as Kea inherits it (subnet, else shared network, else global), for checkAdaptive; `flq(i)` tells whether
 * the i-th subnet allocates with flq.
 */
export function adaptiveScopes(
  d: AltScope & { "shared-networks"?: AltScope[] },
  root: "Dhcp4" | "Dhcp6",
  entries: { subnet: AltScope; path: JsonPath; network?: AltScope }[],
  flq: (i: number) => boolean,
): Parameters<typeof checkAdaptive>[0] {
  const K = "adaptive-lease-time-threshold";
  return {
    scopes: [
      { path: [root], own: d[K] },
      ...(d["shared-networks"] ?? []).map((n, k) => ({ path: [root, "shared-networks", k], own: n[K] })),
      ...entries.map((e) => ({ path: e.path, own: e.subnet[K] })),
    ],
    subnets: entries.map((e, i) => ({
      path: e.subnet[K] !== undefined ? [...e.path, K] : e.path,
      threshold: e.subnet[K] ?? e.network?.[K] ?? d[K],
      flq: flq(i),
    })),
  };
}

/** The ServerTuning of a map that sets none of the keys (Kea 2.2's defaults). */
export function defaultTuning(): ServerTuning {
  return compileServerTuning({}, "Dhcp4", "kea-ring4", new Problems());
}

/**
 * The ServerTuning of a map (`root` "Dhcp4" or "Dhcp6"; `ring` the universe's queue type, "kea-ring4" /
 * "kea-ring6"). A queue type other than the universe's ring is refused (Kea refuses an unregistered type); the
 * notices say what weka does with multi-threading, the packet queue, a server tag and reservations-lookup-first.
 */
export function compileServerTuning(
  d: ServerKeysIn,
  root: "Dhcp4" | "Dhcp6",
  ring: "kea-ring4" | "kea-ring6",
  problems: Problems,
): ServerTuning {
  const D = SERVER_DEFAULTS;
  const mt = d["multi-threading"] ?? {};
  const q = d["dhcp-queue-control"];
  const at = (...p: JsonPath) => [root, ...p];
  const multiThreading = mt["enable-multi-threading"] ?? D["enable-multi-threading"];
  const packetQueueSize = mt["packet-queue-size"] ?? D["packet-queue-size"];
  const queueType = q?.["queue-type"] ?? ring;
  if (q?.["enable-queue"] && queueType !== ring) {
    problems.add(
      at("dhcp-queue-control", "queue-type"),
      `packet queue type '${queueType}' is not supported: weka's receive queue is Kea's '${ring}'`,
    );
  }
  const queue = {
    enabled: q?.["enable-queue"] ?? D["enable-queue"],
    type: queueType,
    capacity: q?.capacity ?? D.capacity,
  };
  let receiveBatch: number = WEKA_BOUNDS.receiveBatch;
  if (multiThreading) {
    if (packetQueueSize > 0) receiveBatch = packetQueueSize;
    problems.info(
      at("multi-threading"),
      `weka handles packets on one thread (its event loop) and overlaps their lease commits instead of running a ` +
        `thread pool: thread-pool-size is not used (status-get reports 1); packet-queue-size ${packetQueueSize} ` +
        `bounds each receive round to ${receiveBatch} packets (the rest wait in the socket buffer)`,
    );
  }
  if (queue.enabled) {
    if (multiThreading) {
      problems.info(
        at("dhcp-queue-control"),
        "the packet queue is not used while multi-threading is enabled (Kea disables it too)",
      );
    } else {
      if (queue.capacity > 0) receiveBatch = queue.capacity;
      problems.info(
        at("dhcp-queue-control"),
        `weka's receive queue: capacity ${queue.capacity} bounds each receive round to ${receiveBatch} packets; ` +
          `packets beyond it wait in the socket buffer instead of pushing out the oldest (Kea's ring)`,
      );
    }
  }
  const serverTag = d["server-tag"] ?? D["server-tag"];
  if (serverTag !== "") {
    problems.info(
      at("server-tag"),
      `server-tag '${serverTag}' selects this server's share of a Kea configuration backend, which weka does not ` +
        "use; it is kept and shown by config-get",
    );
  }
  const lookupFirst = d["reservations-lookup-first"] ?? D["reservations-lookup-first"];
  if (lookupFirst) {
    problems.info(
      at("reservations-lookup-first"),
      "weka keeps reservations in memory and always checks them before allocating, so the order Kea tunes with " +
        "reservations-lookup-first costs nothing either way",
    );
  }
  if (d["sanity-checks"]?.["extended-info-checks"] !== undefined) {
    problems.info(
      at("sanity-checks", "extended-info-checks"),
      "weka writes a lease's extended info itself, in Kea 2.2's form (store-extended-info), and does not re-check " +
        "stored entries at start-up",
    );
  }
  const parked = d["parked-packet-limit"] ?? D["parked-packet-limit"];
  const sc = d["sanity-checks"] ?? {};
  return {
    multiThreading,
    threadPoolSize: mt["thread-pool-size"] ?? D["thread-pool-size"],
    packetQueueSize,
    queue,
    receiveBatch,
    parkedPacketLimit: parked === 0 ? WEKA_BOUNDS.parkedPackets : Math.min(parked, WEKA_BOUNDS.parkedPackets),
    serverTag,
    statisticSampleCount: d["statistic-default-sample-count"] ?? D["statistic-default-sample-count"],
    statisticSampleAge: d["statistic-default-sample-age"] ?? D["statistic-default-sample-age"],
    leaseChecks: sc["lease-checks"] ?? D["lease-checks"],
    extendedInfoChecks: sc["extended-info-checks"] ?? D["extended-info-checks"],
    earlyGlobalReservationsLookup: d["early-global-reservations-lookup"] ?? D["early-global-reservations-lookup"],
    reservationsLookupFirst: lookupFirst,
  };
}
