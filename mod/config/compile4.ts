/**
 * Validated `Dhcp4` JSON → the immutable runtime model (model.ts): defaults applied from defaults.ts, subnet
 * parameters inherited from the global scope as Kea inherits them, option data encoded to wire payloads, pools,
 * reservations and interfaces parsed into numbers, DDNS parameters resolved global → subnet → pool.
 */

import { parseCidr4, parseIpv4, prefixMask } from "../wire/addr.ts";
import {
  DHCP4_DEFAULTS,
  INTERFACES_DEFAULTS,
  LEASE_DATABASE_DEFAULTS,
  LOGGER_DEFAULTS,
  OPTION_DATA_DEFAULTS,
} from "./defaults.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { ClientClass4, Dhcp4Config, InterfaceSpec, OptionValue, Reservation4, Subnet4, Timers4 } from "./model.ts";
import { encodeUndefinedOption, type OptionCodec4, type OptionDefLike } from "./option_codec.ts";
import { compileOptionDefs, withOptionDefs } from "./option_defs4.ts";
import { addSubOption, encapsulate4, type SubOptions } from "./option_encap4.ts";
import type { Dhcp4In, Subnet4In } from "./schema4.ts";
import { compileServerCommon } from "./compile_common.ts";
import { chainOf, chainOptions, isGuarded, overOuter } from "./option_guard.ts";
import { adaptiveScopes, checkAdaptive, warnConfigControl, warnInert4o6 } from "./compile_server.ts";
import type { OptionDataIn } from "./schema_common.ts";
import type { Checked4 } from "./validate4.ts";
import {
  compileDdnsParams,
  compileDhcpDdns,
  defaultDdnsParams,
  hasDdnsKeys,
  moveDeprecatedDdns,
} from "./compile_ddns4.ts";
import type { DdnsParams } from "./model.ts";
import { compileReservations4, reservationFlags, reservedAddresses4 } from "./reservations4.ts";
import { compileHostIdentifiers4 } from "./host_identifiers4.ts";
import {
  checkAdditional,
  checkGuards,
  compileAdditional,
  compileClientClasses4,
  compileGuard,
} from "./client_classes4.ts";
import { compileFlexOption4, type FlexOptions4 } from "./flex_option4.ts";
import {
  inheritFromNetwork,
  type NetworkScope,
  sharedNetworkModels,
  subnetEntries4,
  type SubnetPlace,
} from "./shared_networks4.ts";

type Options = Map<number, OptionValue>;

/** The top option space of a protocol and how its scope packs other spaces into it (dhcp4 or dhcp6). */
export interface OptionFamily {
  space: string;
  encapsulate: typeof encapsulate4;
}

/** DHCPv4: top space dhcp4, sub-options with one-byte code and length (option_encap4.ts). */
export const FAMILY4: OptionFamily = { space: "dhcp4", encapsulate: encapsulate4 };

/**
 * Encodes a list of option-data entries into a map by code. Kea looks the definition up by name or code in the
 * entry's space (default dhcp4); when both are given they must agree. Entries of other spaces become sub-options of
 * the scope's dhcp4 option that encapsulates their space (option_encap4.ts). Problems (unknown option, bad data)
 * are recorded at the entry's path, and the entry is left out.
 */
export function encodeOptions(
  list: OptionDataIn[] | undefined,
  base: JsonPath,
  codec: OptionCodec4,
  problems: Problems,
  family: OptionFamily = FAMILY4,
): Options {
  const out: Options = new Map();
  const defs = new Map<number, OptionDefLike>();
  const subs: SubOptions = new Map();
  (list ?? []).forEach((o, i) => {
    const p = [...base, i];
    const space = o.space ?? (family === FAMILY4 ? OPTION_DATA_DEFAULTS.space : family.space);
    const csv = o["csv-format"] ?? OPTION_DATA_DEFAULTS["csv-format"];
    const def = codec.findOption4(o.name ?? o.code!, space);
    if (!def && o.name !== undefined) {
      problems.add([...p, "name"], `unknown option '${o.name}' in space '${space}'`);
      return;
    }
    if (def && o.code !== undefined && def.code !== o.code) {
      problems.add([...p, "code"], `option '${o.name}' has code ${def.code}, not ${o.code}`);
      return;
    }
    const code = def?.code ?? o.code!;
    let data: Uint8Array;
    try {
      data = def ? codec.encodeOptionData(def, o.data ?? "", csv) : encodeUndefinedOption(code, o.data ?? "", csv);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      // the options module's OptionDataError already names the option ("option 'routers' (3): …")
      const label = def ? `'${def.name}' (code ${def.code})` : `code ${code}`;
      problems.add([...p, "data"], why.startsWith("option '") ? why : `option ${label}: ${why}`);
      return;
    }
    const guard = o["client-classes"]?.length ? o["client-classes"] : undefined;
    if (space !== family.space) {
      if (guard) {
        return problems.add(
          [...p, "client-classes"],
          `'client-classes' on an option of space '${space}' (a ` +
            "sub-option) is not supported by weka yet: guard the option that carries it",
        );
      }
      addSubOption(subs, space, { code, data, path: p, ...(def ? { def } : {}) });
      return;
    }
    if (def) defs.set(code, def);
    const value: OptionValue = {
      code,
      space,
      data,
      alwaysSend: o["always-send"] ?? OPTION_DATA_DEFAULTS["always-send"],
      neverSend: o["never-send"] ?? OPTION_DATA_DEFAULTS["never-send"],
      ...(guard ? { clientClasses: guard } : {}),
    };
    const prev = out.get(code);
    // Kea 3 keeps every entry of a code whose classes differ, tried in order; unguarded, the last one written wins
    out.set(code, prev && (guard || isGuarded(prev)) ? chainOptions([...chainOf(prev), value]) : value);
  });
  family.encapsulate(out, defs, subs, problems);
  return out;
}

/**
 * Merges an inner scope's options over an outer one's, by code (inner wins). Kea's always-send and never-send
 * flags are sticky across scopes: set in either scope, they stay set. An inner option guarded by `client-classes`
 * keeps the outer one behind it, for the clients its guard leaves out (option_guard.ts).
 */
export function mergeOptions(outer: Options, inner: Options): Options {
  const out = new Map(outer);
  for (const [code, o] of inner) {
    const prev = outer.get(code);
    out.set(
      code,
      !prev
        ? o
        : isGuarded(o)
        ? overOuter(o, prev)
        : { ...o, alwaysSend: o.alwaysSend || prev.alwaysSend, neverSend: o.neverSend || prev.neverSend },
    );
  }
  return out;
}

function timers(s: Subnet4In, g: Dhcp4In): Timers4 {
  const valid = s["valid-lifetime"] ?? g["valid-lifetime"] ?? DHCP4_DEFAULTS["valid-lifetime"];
  return {
    validLifetime: valid,
    minValidLifetime: s["min-valid-lifetime"] ?? g["min-valid-lifetime"] ?? valid,
    maxValidLifetime: s["max-valid-lifetime"] ?? g["max-valid-lifetime"] ?? valid,
    renewTimer: s["renew-timer"] ?? g["renew-timer"],
    rebindTimer: s["rebind-timer"] ?? g["rebind-timer"],
    calculateTeeTimes: s["calculate-tee-times"] ?? g["calculate-tee-times"] ?? DHCP4_DEFAULTS["calculate-tee-times"],
    t1Percent: s["t1-percent"] ?? g["t1-percent"] ?? DHCP4_DEFAULTS["t1-percent"],
    t2Percent: s["t2-percent"] ?? g["t2-percent"] ?? DHCP4_DEFAULTS["t2-percent"],
  };
}

/** `eth0`, `eth0/192.0.2.1` or `*` → name and optional address. */
function parseInterface(text: string): InterfaceSpec {
  const slash = text.indexOf("/");
  return slash < 0 ? { name: text } : { name: text.slice(0, slash), address: parseIpv4(text.slice(slash + 1)) };
}

function subnet(
  s: Subnet4In,
  i: number,
  d: Dhcp4In,
  c: Checked4,
  globalOpts: Options,
  globalDdns: DdnsParams,
  globalRes: Map<string, Reservation4>,
  codec: OptionCodec4,
  pr: Problems,
  classes: ClientClass4[],
  place: SubnetPlace = { path: ["Dhcp4", "subnet4", i] },
): Subnet4 {
  const sp = place.path;
  const net = place.network;
  const ddns = compileDdnsParams(net?.ddns ?? globalDdns, s, sp, pr);
  const cidr = parseCidr4(s.subnet)!;
  const ownOptions = encodeOptions(s["option-data"], [...sp, "option-data"], codec, pr);
  const options = mergeOptions(net?.merged ?? globalOpts, ownOptions);
  const pools = c.pools[i].map((r, j) => {
    const ps = s.pools?.[j];
    const pool: Subnet4["pools"][number] = {
      start: r.start,
      end: r.end,
      poolId: ps?.["pool-id"] ?? 0,
      options: encodeOptions(ps?.["option-data"], [...sp, "pools", j, "option-data"], codec, pr),
    };
    if (ps && hasDdnsKeys(ps)) pool.ddns = compileDdnsParams(ddns, ps, [...sp, "pools", j], pr);
    const guard = ps ? compileGuard(ps) : undefined;
    if (guard) {
      pool.clientClasses = guard;
      checkGuards(guard, classes, [...sp, "pools", j], pr, c.ha);
    }
    const additional = ps && compileAdditional(ps);
    if (additional) {
      pool.additionalClasses = additional;
      checkAdditional(additional, classes, [...sp, "pools", j], pr);
    }
    return pool;
  });
  const flags = reservationFlags(s, d);
  const reservations = compileReservations4(
    s.reservations,
    [...sp, "reservations"],
    (list, path) => encodeOptions(list, path, codec, pr),
  );
  const hi = (cidr.network | ~prefixMask(cidr.len)) >>> 0;
  const shared = d["ip-reservations-unique"] === false ? new Map<number, string[]>() : undefined;
  const reservedAddresses = reservedAddresses4(reservations, globalRes, flags, cidr.network, hi, shared);
  const relay = [...(s.relay?.["ip-addresses"] ?? []), ...(s.relay?.["ip-address"] ? [s.relay["ip-address"]] : [])];
  const out: Subnet4 = {
    id: c.subnetIds[i],
    prefix: s.subnet,
    network: cidr.network,
    len: cidr.len,
    mask: prefixMask(cidr.len),
    pools,
    relayAddresses: relay.map((a) => parseIpv4(a)!),
    options,
    reservations,
    reservedAddresses,
    ...(shared && shared.size > 0 ? { sharedReservedAddresses: shared } : {}),
    timers: timers(s, d),
    authoritative: s.authoritative ?? d.authoritative ?? DHCP4_DEFAULTS.authoritative,
    matchClientId: s["match-client-id"] ?? d["match-client-id"] ?? DHCP4_DEFAULTS["match-client-id"],
    nextServer: parseIpv4(s["next-server"] ?? d["next-server"] ?? DHCP4_DEFAULTS["next-server"])!,
    serverHostname: s["server-hostname"] ?? d["server-hostname"] ?? DHCP4_DEFAULTS["server-hostname"],
    bootFileName: s["boot-file-name"] ?? d["boot-file-name"] ?? DHCP4_DEFAULTS["boot-file-name"],
    ddns,
    reservationsGlobal: flags.global,
    reservationsInSubnet: flags.inSubnet,
    reservationsOutOfPool: flags.outOfPool,
  };
  if (s.interface !== undefined) out.interface = s.interface;
  const offerLifetime = s["offer-lifetime"] ?? d["offer-lifetime"];
  if (offerLifetime) out.offerLifetime = offerLifetime;
  const guard = compileGuard(s);
  if (guard) {
    out.clientClasses = guard;
    if (!net || place.ownGuard) checkGuards(guard, classes, sp, pr, c.ha);
  }
  if (classes.length) out.ownOptions = net ? mergeOptions(net.own, ownOptions) : ownOptions;
  if (net) out.sharedNetwork = net.name;
  const additional = compileAdditional(s);
  if (additional) {
    out.additionalClasses = additional;
    checkAdditional(additional, classes, sp, pr);
  }
  if (net?.additional) out.networkAdditionalClasses = net.additional;
  const allocator = s.allocator ?? d.allocator;
  if (allocator && allocator !== "iterative" && allocator !== "shared-flq") out.allocator = allocator;
  if (s["store-extended-info"] ?? d["store-extended-info"]) out.storeExtendedInfo = true;
  if (d.compatibility?.["exclude-first-last-24"]) out.excludeFirstLast24 = true;
  const threshold = s["cache-threshold"] ?? d["cache-threshold"];
  const maxAge = s["cache-max-age"] ?? d["cache-max-age"];
  if (threshold !== undefined) out.cacheThreshold = threshold;
  if (maxAge !== undefined) out.cacheMaxAge = maxAge;
  return out;
}

/**
 * Compiles a checked Dhcp4 map into the runtime model. Inheritance follows Kea: a subnet's lifetimes, timers,
 * flags, next-server/server-hostname/boot-file-name come from the subnet, else the global scope, else Kea's
 * defaults; options are merged global → subnet by code; pool and reservation options stay with their pool or
 * reservation (the engine lays them over the subnet's). Option problems are recorded in `problems`.
 */
export function compile4(in4: Dhcp4In, checked: Checked4, stdCodec: OptionCodec4, problems: Problems): Dhcp4Config {
  const d = moveDeprecatedDdns(in4, "Dhcp4", problems);
  const codec = withOptionDefs(stdCodec, compileOptionDefs(d["option-def"], stdCodec, problems));
  const globalOpts = encodeOptions(d["option-data"], ["Dhcp4", "option-data"], codec, problems);
  const clientClasses = compileClientClasses4(
    d["client-classes"],
    codec,
    (list, path, c = codec) => encodeOptions(list, path, c, problems),
    problems,
  );
  const ic = d["interfaces-config"] ?? {};
  if (ic["outbound-interface"] === "use-routing") {
    problems.info(
      ["Dhcp4", "interfaces-config", "outbound-interface"],
      "replies leave through the interface the query arrived on: weka's sockets are bound to their interface " +
        "(SO_BINDTODEVICE), so the routing table picks the next hop but not the interface ('same-as-inbound')",
    );
  }
  const ddns = compileDdnsParams(defaultDdnsParams(), d, ["Dhcp4"], problems);
  const globalReservations = compileReservations4(
    d.reservations,
    ["Dhcp4", "reservations"],
    (list, path) => encodeOptions(list, path, codec, problems),
  );
  const scopes = new Map((d["shared-networks"] ?? []).map((n, k) => {
    const np: JsonPath = ["Dhcp4", "shared-networks", k];
    const own = encodeOptions(n["option-data"], [...np, "option-data"], codec, problems);
    checkGuards(compileGuard(n), clientClasses, np, problems, checked.ha);
    const scope: NetworkScope = {
      name: n.name,
      own,
      merged: mergeOptions(globalOpts, own),
      ddns: compileDdnsParams(ddns, n, np, problems),
    };
    const additional = compileAdditional(n);
    if (additional) {
      scope.additional = additional;
      checkAdditional(additional, clientClasses, np, problems);
    }
    return [n, scope];
  }));
  const entries = subnetEntries4(d);
  const subnets = entries.map((e, i) =>
    subnet(
      inheritFromNetwork(e.subnet, e.network),
      i,
      d,
      checked,
      globalOpts,
      ddns,
      globalReservations,
      codec,
      problems,
      clientClasses,
      {
        path: e.path,
        ...(e.network ? { network: scopes.get(e.network) } : {}),
        ownGuard: compileGuard(e.subnet) !== undefined,
      },
    )
  );
  const sharedNetworks = sharedNetworkModels(d, entries, subnets);
  warnConfigControl(d, "Dhcp4", subnets.length, problems);
  warnInert4o6(entries, problems);
  checkAdaptive(adaptiveScopes(d, "Dhcp4", entries, (i) => subnets[i].allocator === "flq"), problems);
  return {
    ...compileServerCommon(d, {
      leaseFiles: LEASE_DATABASE_DEFAULTS,
      declineProbationPeriod: DHCP4_DEFAULTS["decline-probation-period"],
      rootLogger: LOGGER_DEFAULTS.root,
      root: "Dhcp4",
      ring: "kea-ring4",
    }, problems),
    interfaces: (ic.interfaces ?? INTERFACES_DEFAULTS.interfaces).map(parseInterface),
    socketType: ic["dhcp-socket-type"] ?? INTERFACES_DEFAULTS["dhcp-socket-type"],
    subnets,
    ...(sharedNetworks.length ? { sharedNetworks } : {}),
    options: globalOpts,
    echoClientId: d["echo-client-id"] ?? DHCP4_DEFAULTS["echo-client-id"],
    dhcpDdns: compileDhcpDdns(d["dhcp-ddns"]),
    ddns,
    globalReservations,
    ...compileHostIdentifiers4(d, codec, problems),
    ...flexOptions(d, codec, problems),
    ...(clientClasses.length ? { clientClasses } : {}),
    ...(checked.ha ? { ha: checked.ha } : {}),
    ...compatibility4(d, problems),
    ...(ic["outbound-interface"] ? { outboundInterface: ic["outbound-interface"] } : {}),
  };
}

/**
 * Kea's DHCPv4 `compatibility` map in the model. weka's option parsing is always lenient (a malformed option is
 * skipped, the rest of the packet kept), so `lenient-option-parsing: false` gets a notice saying so.
 */
function compatibility4(d: Dhcp4In, problems: Problems): Pick<Dhcp4Config, "compatibility"> {
  const c = d.compatibility;
  if (!c) return {};
  if (c["lenient-option-parsing"] === false) {
    problems.info(
      ["Dhcp4", "compatibility", "lenient-option-parsing"],
      "weka always parses options leniently: a malformed option is skipped and the rest of the packet is kept",
    );
  }
  return {
    compatibility: {
      ignoreServerIdentifier: c["ignore-dhcp-server-identifier"] ?? false,
      ignoreRaiLinkSelection: c["ignore-rai-link-selection"] ?? false,
    },
  };
}

/** The flex-option hook's entries, when the hook is loaded. */
function flexOptions(d: Dhcp4In, codec: OptionCodec4, problems: Problems): { flexOptions?: FlexOptions4 } {
  const f = compileFlexOption4(d["hooks-libraries"], codec, problems);
  return f ? { flexOptions: f } : {};
}
