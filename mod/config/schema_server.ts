/**
 * The valibot schemas of the server-wide keys kea-dhcp4 and kea-dhcp6 share (Kea's dhcp4/dhcp6 grammars, global
 * scope): `multi-threading`, `dhcp-queue-control`, `parked-packet-limit`, `server-tag`, `sanity-checks`, the
 * statistics sampling defaults, `compatibility`, DHCPv4-over-DHCPv6's `dhcp4o6-port`, the reservation lookup
 * switches, and the per-network `allocator` / `pd-allocator` choices. compile_server.ts turns them into the model's
 * ServerTuning and says, in one INFO line per key, what weka does where its design differs from Kea's.
 */
import * as v from "valibot";
import { annotations, bool, str, strictMap, uint32 } from "./schema_common.ts";
import { configDatabase } from "./schema_db.ts";
import { parseCidr6 } from "./addr6.ts";

/** `multi-threading` (Kea 2.2: off by default; thread-pool-size 0 = one per core, packet-queue-size 64). */
export const multiThreading = strictMap({
  "enable-multi-threading": v.optional(bool),
  "thread-pool-size": v.optional(uint32),
  "packet-queue-size": v.optional(uint32),
  ...annotations,
}, "must be a map");

/**
 * `dhcp-queue-control` (Kea's DHCPQueueControlParser): `enable-queue` is mandatory; with the queue on, `queue-type`
 * is required; other entries belong to the queue implementation and are kept as given (Kea's grammar accepts any).
 */
export const dhcpQueueControl = v.pipe(
  v.objectWithRest(
    {
      "enable-queue": bool,
      "queue-type": v.optional(str),
      capacity: v.optional(uint32),
      ...annotations,
    },
    v.unknown(),
    "must be a map",
  ),
  v.check(
    (q) => !q["enable-queue"] || q["queue-type"] !== undefined,
    "when queue is enabled, queue-type is required",
  ),
);

/** `sanity-checks` (Kea: lease-checks none|warn|fix|fix-del|del, extended-info-checks none|fix|strict|pedantic). */
export const sanityChecks = strictMap({
  "lease-checks": v.optional(
    v.picklist(["none", "warn", "fix", "fix-del", "del"], 'must be "none", "warn", "fix", "fix-del" or "del"'),
  ),
  "extended-info-checks": v.optional(
    v.picklist(["none", "fix", "strict", "pedantic"], 'must be "none", "fix", "strict" or "pedantic"'),
  ),
}, "must be a map");

/** `compatibility` of Dhcp4 (Kea ≥ 2.2: option parsing leniency and three DHCPv4 protocol relaxations). */
export const compatibility4 = strictMap({
  "lenient-option-parsing": v.optional(bool),
  "ignore-dhcp-server-identifier": v.optional(bool),
  "ignore-rai-link-selection": v.optional(bool),
  "exclude-first-last-24": v.optional(bool),
}, "must be a map");

/** `compatibility` of Dhcp6 (only `lenient-option-parsing`). */
export const compatibility6 = strictMap({
  "lenient-option-parsing": v.optional(bool),
}, "must be a map");

const SHARED_FLQ = "the 'shared-flq' allocator keeps its free-lease queues in a shared SQL lease database, which " +
  "weka does not use: choose iterative, random or flq";

/** `allocator` of Dhcp4 (global, shared network, subnet): Kea's iterative, random and flq. */
export const allocator4 = v.pipe(
  v.picklist(
    ["iterative", "random", "flq", "shared-flq"],
    "supported allocators are: iterative, random, flq and shared-flq",
  ),
  v.check((a) => a !== "shared-flq", SHARED_FLQ),
);

/** `allocator` of Dhcp6 (addresses): iterative and random; Kea refuses flq for address pools. */
export const allocator6 = v.pipe(
  v.picklist(
    ["iterative", "random", "flq", "shared-flq"],
    "supported allocators are: iterative, random, flq and shared-flq",
  ),
  v.check((a) => a !== "flq", "Free Lease Queue allocator is not supported for IPv6 address pools"),
  v.check((a) => a !== "shared-flq", SHARED_FLQ),
);

/** `pd-allocator` of Dhcp6 (delegated prefixes): iterative, random and flq. */
export const pdAllocator = v.pipe(
  v.picklist(
    ["iterative", "random", "flq", "shared-flq"],
    "supported allocators are: iterative, random, flq and shared-flq",
  ),
  v.check((a) => a !== "shared-flq", SHARED_FLQ),
);

/** The DHCPv4-over-DHCPv6 port (RFC 7341): 0, Kea's default, turns it off; weka serves no DHCPv4-over-DHCPv6. */
export const dhcp4o6Port = v.pipe(
  uint32,
  v.maxValue(65535, "must be a port 0..65535"),
  v.check(
    (p) => p === 0,
    "DHCPv4-over-DHCPv6 (RFC 7341) is not served by weka: remove 'dhcp4o6-port' (or set it to 0, Kea's default)",
  ),
);

/**
 * A `4o6-*` key of a subnet4 (RFC 7341 subnet selection: `4o6-interface`, `4o6-interface-id`, `4o6-subnet`, an
 * IPv6 prefix). With `dhcp4o6-port` 0 (the only value weka takes) no DHCPv4-over-DHCPv6 query reaches the server,
 * so Kea never consults them either: compile_server.ts warnInert4o6 says so in one warning per subnet.
 */
export const key4o6 = (key: string) =>
  key === "4o6-subnet"
    ? v.pipe(
      str,
      v.check((s) => s === "" || parseCidr6(s) !== undefined, (i) => `'${i.input}' is not an IPv6 prefix (ADDR/LEN)`),
    )
    : str;

/**
 * `config-control` (Kea's configuration backend: `config-databases`, `config-fetch-wait-time`): checked, then
 * accepted with one warning, as weka serves only the file's configuration (compile_server.ts warnConfigControl).
 */
export const configControl = strictMap({
  "config-databases": v.optional(v.array(configDatabase, "must be a list")),
  "config-fetch-wait-time": v.optional(uint32),
  ...annotations,
}, "must be a map");

/** Keys Kea accepts at the global scope of both Dhcp4 and Dhcp6 (the `compatibility` map is per universe). */
export const serverParams = {
  "multi-threading": v.optional(multiThreading),
  "dhcp-queue-control": v.optional(dhcpQueueControl),
  "parked-packet-limit": v.optional(uint32),
  "server-tag": v.optional(str),
  "sanity-checks": v.optional(sanityChecks),
  "statistic-default-sample-count": v.optional(uint32),
  "statistic-default-sample-age": v.optional(uint32),
  "dhcp4o6-port": v.optional(dhcp4o6Port),
  "early-global-reservations-lookup": v.optional(bool),
  "reservations-lookup-first": v.optional(bool),
  "config-control": v.optional(configControl),
};

/**
 * Kea 3.1's `adaptive-lease-time-threshold` (global, shared network, subnet): above this pool occupancy the flq
 * allocator grants `min-valid-lifetime` to new clients. weka's flq does not apply it yet, so it is refused where
 * flq would apply it and otherwise accepted with a notice that it has no effect, as in Kea (compile_server.ts).
 */
export const adaptiveParams = {
  "adaptive-lease-time-threshold": v.optional(v.pipe(
    v.number("must be a number"),
    v.check((x) => x > 0 && x <= 1, "adaptive-lease-time-threshold must be greater than 0 and at most 1"),
  )),
};

/** Lease caching keys (global, shared network, subnet; Kea ≥ 2.0). */
export const cacheParams = {
  "cache-threshold": v.optional(
    v.pipe(
      v.number("must be a number"),
      v.check((x) => x > 0 && x < 1, "cache-threshold must be greater than 0 and less than 1"),
    ),
  ),
  "cache-max-age": v.optional(uint32),
};

/** A validated `dhcp-queue-control` map. */
export type DhcpQueueControlIn = v.InferOutput<typeof dhcpQueueControl>;
/** A validated `multi-threading` map. */
export type MultiThreadingIn = v.InferOutput<typeof multiThreading>;
