/**
 * Validated `Dhcp6` JSON → the immutable runtime model (model6.ts): Kea 2.2's defaults applied from defaults.ts,
 * parameters inherited global → shared network → subnet as Kea inherits them, option-data encoded to DHCPv6 wire
 * payloads through the options module, pools as 128-bit ranges, pd-pools, reservations, client classes and the
 * DDNS parameters resolved per scope.
 */

import {
  DHCP6_DEFAULTS,
  INTERFACES_DEFAULTS,
  LEASE_DATABASE6_DEFAULTS,
  SERVER_ID_DEFAULTS,
  WEKA_BOUNDS,
} from "./defaults.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { DdnsParams } from "./model.ts";
import type { Dhcp6Config, Guards6, Options6, Reservation6, SharedNetwork6, Subnet6 } from "./model6.ts";
import type { OptionCodec4 } from "./option_codec.ts";
import { compileOptionDefs, withOptionDefs } from "./option_defs4.ts";
import { encodeOptions, mergeOptions, type OptionFamily } from "./compile4.ts";
import { compileServerCommon } from "./compile_common.ts";
import { adaptiveScopes, checkAdaptive, warnConfigControl } from "./compile_server.ts";
import { encapsulate6 } from "./option_encap6.ts";
import {
  compileDdnsParams,
  compileDhcpDdns,
  defaultDdnsParams,
  hasDdnsKeys,
  moveDeprecatedDdns,
} from "./compile_ddns4.ts";
import { reservationFlags } from "./reservations4.ts";
import { compileReservations6 } from "./reservations6.ts";
import { checkAdditional, checkGuards, compileAdditional, compileGuard } from "./client_classes4.ts";
import { compileClientClasses6 } from "./client_classes6.ts";
import { compileFlexOption4, FLEX6 } from "./flex_option4.ts";
import { effective6, timers6 } from "./timers6.ts";
import { parseCidr6, parseIpv6Big, prefixOf6 } from "./addr6.ts";
import type { Dhcp6In, Pool6In, SharedNetwork6In, Subnet6In } from "./schema6.ts";
import type { Checked6 } from "./validate6.ts";
import type { OptionDataIn } from "./schema_common.ts";
import { parseHex } from "../wire/addr.ts";

/** DHCPv6: top space dhcp6, sub-options with two-byte code and length (option_encap6.ts). */
export const FAMILY6: OptionFamily = { space: "dhcp6", encapsulate: encapsulate6 };

type Encode = (list: OptionDataIn[] | undefined, path: JsonPath) => Options6;

type ClassKeys = {
  "client-class"?: string;
  "client-classes"?: string[];
  "require-client-classes"?: string[];
  "evaluate-additional-classes"?: string[];
};

function guards(s: ClassKeys): Guards6 {
  const g: Guards6 = { additionalClasses: compileAdditional(s) ?? [] };
  const guard = compileGuard(s);
  if (guard) g.clientClasses = guard;
  return g;
}

function relayAddresses(s: Subnet6In | SharedNetwork6In): bigint[] {
  const r = s.relay;
  return [...(r?.["ip-addresses"] ?? []), ...(r?.["ip-address"] ? [r["ip-address"]] : [])].map((a) => parseIpv6Big(a)!);
}

/** `relay-supplied-options`: codes or dhcp6 option names → codes (an unknown name is a problem at its path). */
function relaySupplied(d: Dhcp6In, codec: OptionCodec4, problems: Problems): number[] {
  const list = d["relay-supplied-options"] ?? DHCP6_DEFAULTS["relay-supplied-options"];
  return list.flatMap((t, i) => {
    const code = /^\d+$/.test(t) ? Number(t) : codec.findOption4(t, "dhcp6")?.code;
    if (code === undefined || code > 65535) {
      problems.add(["Dhcp6", "relay-supplied-options", i], `'${t}' is not a DHCPv6 option code or name`);
      return [];
    }
    return [code];
  });
}

/** A `pd-allocator` value as the model keeps it (Kea's default: iterative). */
function pdAllocatorOf(a: string | undefined): Subnet6["pdAllocator"] {
  return a === "random" || a === "flq" ? a : "iterative";
}

interface Scope {
  storeExtendedInfo: boolean;
  /** the global `allocator` / `pd-allocator` (networks and subnets inherit them) */
  allocator?: string;
  pdAllocator?: string;
  /** merged options of the scope (global, then shared network) */
  options: Options6;
  /** the options the scope sets itself, without the global ones (empty for the global scope) */
  own: Options6;
  ddns: DdnsParams;
  flags: ReturnType<typeof reservationFlags>;
  timers: ReturnType<typeof effective6>;
}

function subnet(
  f: Checked6["subnets"][number],
  pools: Checked6["pools"][number],
  outer: Scope,
  enc: Encode,
  pr: Problems,
  classes: readonly { name: string }[],
): Subnet6 {
  const { s, path } = f;
  const n = f.network;
  const c = parseCidr6(s.subnet)!;
  const own = enc(s["option-data"], [...path, "option-data"]);
  const options = mergeOptions(outer.options, own);
  const flagsOuter = {
    "reservations-global": outer.flags.global,
    "reservations-in-subnet": outer.flags.inSubnet,
    "reservations-out-of-pool": outer.flags.outOfPool,
  };
  const flags = reservationFlags(s, flagsOuter);
  const reservations = compileReservations6(s.reservations, [...path, "reservations"], enc);
  const reservedAddresses = new Map<bigint, string>();
  for (const [key, r] of reservations) for (const a of r.addresses) reservedAddresses.set(a, key);
  const guard = (g: Guards6, p: JsonPath) => {
    checkGuards(g.clientClasses, classes, p, pr);
    checkAdditional(g.additionalClasses, classes, p, pr);
    return g;
  };
  const ddns = compileDdnsParams(outer.ddns, s, path, pr);
  const out: Subnet6 = {
    id: f.id,
    prefix: s.subnet,
    network: c.network,
    len: c.len,
    pools: pools.map((r, j) => ({
      start: r.start,
      end: r.end,
      options: enc(s.pools?.[j]?.["option-data"], [...path, "pools", j, "option-data"]),
      ...(s.pools?.[j]?.["pool-id"] ? { poolId: s.pools[j]["pool-id"] } : {}),
      ...guard(guards(s.pools?.[j] ?? {}), [...path, "pools", j]),
      ...poolDdns(ddns, s.pools?.[j], [...path, "pools", j], pr),
    })),
    pdPools: (s["pd-pools"] ?? []).map((p, j) => {
      const flq = pdAllocatorOf(s["pd-allocator"] ?? n?.["pd-allocator"] ?? outer.pdAllocator) === "flq";
      if (flq && p["delegated-len"] - p["prefix-len"] > Math.log2(WEKA_BOUNDS.flqPrefixes)) {
        pr.add(
          [...path, "pd-pools", j, "delegated-len"],
          `pd-allocator flq keeps every prefix of a pd-pool in memory: this one has 2^${
            p["delegated-len"] - p["prefix-len"]
          } prefixes, at most ${WEKA_BOUNDS.flqPrefixes} (2^${Math.log2(WEKA_BOUNDS.flqPrefixes)}) are allowed`,
        );
      }
      const pool = {
        prefix: prefixOf6(parseIpv6Big(p.prefix)!, p["prefix-len"]).network,
        prefixLen: p["prefix-len"],
        delegatedLen: p["delegated-len"],
        options: enc(p["option-data"], [...path, "pd-pools", j, "option-data"]),
        ...(p["pool-id"] ? { poolId: p["pool-id"] } : {}),
        ...guard(guards(p), [...path, "pd-pools", j]),
      };
      const ex = p["excluded-prefix"];
      return ex && p["excluded-prefix-len"]
        ? { ...pool, excludedPrefix: parseIpv6Big(ex)!, excludedPrefixLen: p["excluded-prefix-len"] }
        : pool;
    }),
    relayAddresses: [...relayAddresses(s), ...(s.relay ? [] : n ? relayAddresses(n) : [])],
    rapidCommit: s["rapid-commit"] ?? n?.["rapid-commit"] ?? DHCP6_DEFAULTS["rapid-commit"],
    storeExtendedInfo: s["store-extended-info"] ?? outer.storeExtendedInfo,
    options,
    ownOptions: mergeOptions(outer.own, own),
    reservations,
    reservedAddresses,
    timers: timers6(effective6(s, outer.timers)),
    ddns,
    reservationsGlobal: flags.global,
    reservationsInSubnet: flags.inSubnet,
    reservationsOutOfPool: flags.outOfPool,
    ...guard({
      ...guards(s),
      ...(compileGuard(s) ?? (n && compileGuard(n)) ? { clientClasses: (compileGuard(s) ?? compileGuard(n!))! } : {}),
    }, path),
    networkAdditionalClasses: (n && compileAdditional(n)) ?? [],
    allocator: (s.allocator ?? n?.allocator ?? outer.allocator) === "random" ? "random" : "iterative",
    pdAllocator: pdAllocatorOf(s["pd-allocator"] ?? n?.["pd-allocator"] ?? outer.pdAllocator),
  };
  const iface = s.interface ?? n?.interface;
  if (iface !== undefined) out.interface = iface;
  const iid = s["interface-id"] ?? n?.["interface-id"];
  if (iid !== undefined) out.interfaceId = iid;
  if (n) out.sharedNetwork = n.name;
  return out;
}

/**
 * Compiles a checked Dhcp6 map into the runtime model. Inheritance follows Kea: a subnet's lifetimes, timers,
 * reservation flags, DDNS keys and options come from the subnet, else its shared network, else the global scope,
 * else Kea 2.2's defaults; options merge by code (inner wins); pool, pd-pool and reservation options stay with
 * their pool or host. Option problems are recorded in `problems`.
 */
export function compile6(in6: Dhcp6In, checked: Checked6, stdCodec: OptionCodec4, problems: Problems): Dhcp6Config {
  const d = moveDeprecatedDdns(in6, "Dhcp6", problems);
  const defs = compileOptionDefs(d["option-def"], stdCodec, problems, { root: "Dhcp6", space: "dhcp6" });
  const codec = withOptionDefs(stdCodec, defs, "dhcp6");
  const enc: Encode = (list, path) => encodeOptions(list, path, codec, problems, FAMILY6);
  const globalOpts = enc(d["option-data"], ["Dhcp6", "option-data"]);
  const clientClasses = compileClientClasses6(d["client-classes"], codec, enc, problems);
  const global: Scope = {
    storeExtendedInfo: d["store-extended-info"] ?? DHCP6_DEFAULTS["store-extended-info"],
    ...(d.allocator ? { allocator: d.allocator } : {}),
    ...(d["pd-allocator"] ? { pdAllocator: d["pd-allocator"] } : {}),
    options: globalOpts,
    own: new Map(),
    ddns: compileDdnsParams(defaultDdnsParams(), d, ["Dhcp6"], problems),
    flags: reservationFlags(d, {}),
    timers: effective6(d),
  };
  const nets = new Map<SharedNetwork6In, Scope>();
  (d["shared-networks"] ?? []).forEach((n, i) => {
    const p: JsonPath = ["Dhcp6", "shared-networks", i];
    const own = enc(n["option-data"], [...p, "option-data"]);
    nets.set(n, {
      ...global,
      storeExtendedInfo: n["store-extended-info"] ?? global.storeExtendedInfo,
      options: mergeOptions(globalOpts, own),
      own,
      ddns: compileDdnsParams(global.ddns, n, p, problems),
      flags: reservationFlags(n, d),
      timers: effective6(n, global.timers),
    });
  });
  const subnets = checked.subnets.map((f, i) =>
    subnet(f, checked.pools[i], f.network ? nets.get(f.network)! : global, enc, problems, clientClasses)
  );
  warnConfigControl(d, "Dhcp6", subnets.length, problems);
  checkAdaptive(
    adaptiveScopes(
      d,
      "Dhcp6",
      checked.subnets.map((f) => ({ subnet: f.s, path: f.path, network: f.network })),
      (i) => subnets[i].pdAllocator === "flq" && subnets[i].pdPools.length > 0,
    ),
    problems,
  );
  const sharedNetworks: SharedNetwork6[] = (d["shared-networks"] ?? []).map((n) => {
    const out: SharedNetwork6 = {
      name: n.name,
      subnetIds: checked.subnets.filter((f) => f.network === n).map((f) => f.id),
      relayAddresses: relayAddresses(n),
      ...guards(n),
    };
    if (n.interface !== undefined) out.interface = n.interface;
    if (n["interface-id"] !== undefined) out.interfaceId = n["interface-id"];
    return out;
  });
  const sid = d["server-id"];
  const out: Dhcp6Config = {
    ...compileServerCommon(d, {
      leaseFiles: LEASE_DATABASE6_DEFAULTS,
      declineProbationPeriod: DHCP6_DEFAULTS["decline-probation-period"],
      rootLogger: "kea-dhcp6",
      root: "Dhcp6",
      ring: "kea-ring6",
    }, problems),
    interfaces: (d["interfaces-config"]?.interfaces ?? INTERFACES_DEFAULTS.interfaces).map((t) => {
      const slash = t.indexOf("/");
      return slash < 0 ? { name: t } : { name: t.slice(0, slash), unicast: parseIpv6Big(t.slice(slash + 1))! };
    }),
    subnets,
    sharedNetworks,
    options: globalOpts,
    dhcpDdns: compileDhcpDdns(d["dhcp-ddns"]),
    ddns: global.ddns,
    clientClasses,
    globalReservations: compileReservations6(d.reservations, ["Dhcp6", "reservations"], enc) as Map<
      string,
      Reservation6
    >,
    hostReservationIdentifiers: [
      ...(d["host-reservation-identifiers"] ?? DHCP6_DEFAULTS["host-reservation-identifiers"]),
    ],
    serverId: {
      type: sid?.type ?? SERVER_ID_DEFAULTS.type,
      identifier: parseHex(sid?.identifier ?? "") ?? new Uint8Array(0),
      htype: sid?.htype ?? SERVER_ID_DEFAULTS.htype,
      time: sid?.time ?? SERVER_ID_DEFAULTS.time,
      enterpriseId: sid?.["enterprise-id"] ?? SERVER_ID_DEFAULTS["enterprise-id"],
      persist: sid?.persist ?? SERVER_ID_DEFAULTS.persist,
    },
    dhcp4o6Port: d["dhcp4o6-port"] ?? DHCP6_DEFAULTS["dhcp4o6-port"],
    relaySuppliedOptions: relaySupplied(d, codec, problems),
    macSources: [...(d["mac-sources"] ?? DHCP6_DEFAULTS["mac-sources"])],
  };
  if (d["data-directory"] !== undefined) out.dataDirectory = d["data-directory"];
  if (checked.ha) out.ha = checked.ha;
  const flex = compileFlexOption4(d["hooks-libraries"], codec, problems, FLEX6);
  if (flex) out.flexOptions = flex;
  noticeCache6(d, problems);
  if (d["allow-address-registration"] !== false && d["allow-address-registration"] !== undefined) {
    problems.info(
      ["Dhcp6", "allow-address-registration"],
      "weka does not serve address registration (RFC 9686): ADDR-REG-INFORM messages are dropped, as Kea drops " +
        "them with allow-address-registration false",
    );
  }
  if (d.compatibility?.["lenient-option-parsing"] === false) {
    problems.info(
      ["Dhcp6", "compatibility", "lenient-option-parsing"],
      "weka always parses options leniently: a malformed option is skipped and the rest of the packet is kept",
    );
  }
  return out;
}

/**
 * Kea's lease caching keys in Dhcp6 (`cache-threshold`, `cache-max-age`): weka caches DHCPv4 leases only; one notice
 * at the first scope that sets them says that DHCPv6 renewals are written (group-committed) each time.
 */
function noticeCache6(d: Dhcp6In, problems: Problems): void {
  const scopes: [JsonPath, Record<string, unknown>][] = [[["Dhcp6"], d]];
  (d["shared-networks"] ?? []).forEach((n, i) => {
    scopes.push([["Dhcp6", "shared-networks", i], n]);
    (n.subnet6 ?? []).forEach((s, j) => scopes.push([["Dhcp6", "shared-networks", i, "subnet6", j], s]));
  });
  (d.subnet6 ?? []).forEach((s, i) => scopes.push([["Dhcp6", "subnet6", i], s]));
  for (const [path, scope] of scopes) {
    const key = ["cache-threshold", "cache-max-age"].find((k) => scope[k] !== undefined);
    if (!key) continue;
    problems.info(
      [...path, key],
      "weka caches DHCPv4 leases only: every DHCPv6 renewal is written (its commits are grouped, so a renewal " +
        "costs a share of one write)",
    );
    return;
  }
}

/** A pool's own DDNS parameters (Kea ≥ 2.7.6), on top of its subnet's, when the pool sets any DDNS key. */
function poolDdns(subnetDdns: DdnsParams, p: Pool6In | undefined, path: JsonPath, pr: Problems): { ddns?: DdnsParams } {
  return p && hasDdnsKeys(p) ? { ddns: compileDdnsParams(subnetDdns, p, path, pr) } : {};
}
