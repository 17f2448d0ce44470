/**
 * The semantic checks of a schema-valid `Dhcp6` map, with Kea 2.2's rules: subnet ids unique and in range (ids
 * assigned where missing), subnet prefixes unique, pools inside their subnet and not overlapping, pd-pools
 * well-formed (delegated-len ≥ prefix-len, the excluded prefix inside the delegated prefix), lifetimes in order,
 * renew-timer not above rebind-timer, a subnet's interface consistent with its shared network, shared-network
 * names unique, reservations (reservations6.ts), server-id and hook libraries (libdhcp_ha.so's relationship).
 */

import {
  BOOTP_HOOK,
  BUILTIN_HOOKS,
  DHCP6_DEFAULTS,
  premiumHookRefusal,
  sqlBackendHookNote,
  SUBNET_ID_MAX,
  SUBNET_ID_MIN,
} from "./defaults.ts";
import { formatPath, type JsonPath, type Problems } from "./errors.ts";
import { formatIpv6Big, parseCidr6, parseIpv6Big, parsePool6, prefixOf6, type Range6 } from "./addr6.ts";
import { checkReservations6 } from "./reservations6.ts";
import { checkPools, type PoolFamily } from "./pool_range.ts";
import { checkReservationMode } from "./reservations4.ts";
import { checkLifetimes6 } from "./timers6.ts";
import type { Dhcp6In, PdPoolIn, SharedNetwork6In, Subnet6In } from "./schema6.ts";
import type { HostIdType6 } from "./model6.ts";
import type { HaConfig } from "./model_ha.ts";
import { compileHaParameters } from "./compile_ha.ts";
import { checkRunScript } from "./validate4.ts";

/** A subnet with where it sits: its JSON path, its id (configured or assigned) and its shared network. */
export interface FlatSubnet6 {
  s: Subnet6In;
  path: JsonPath;
  id: number;
  network?: SharedNetwork6In;
}

/** What the checks learned that the compiler needs: every subnet in order, with its parsed pools. */
export interface Checked6 {
  subnets: FlatSubnet6[];
  /** parsed pools per subnet (same order as `subnets`) */
  pools: Range6[][];
  /** the compiled HA relationship, when libdhcp_ha.so is loaded and its parameters are valid */
  ha?: HaConfig;
}

/** Subnets of the map in Kea's order: `subnet6` first, then each shared network's `subnet6`. */
function flatten(d: Dhcp6In): Omit<FlatSubnet6, "id">[] {
  const out: Omit<FlatSubnet6, "id">[] = (d.subnet6 ?? []).map((s, i) => ({ s, path: ["Dhcp6", "subnet6", i] }));
  (d["shared-networks"] ?? []).forEach((n, i) =>
    (n.subnet6 ?? []).forEach((s, j) =>
      out.push({ s, path: ["Dhcp6", "shared-networks", i, "subnet6", j], network: n })
    )
  );
  return out;
}

/** Assigns ids to subnets without one (Kea 2.2 numbers them itself; Kea 3 requires them), skipping used ids. */
function assignIds(subnets: Omit<FlatSubnet6, "id">[], problems: Problems): FlatSubnet6[] {
  const used = new Set(subnets.map((f) => f.s.id).filter((id): id is number => id !== undefined));
  let next = 1;
  return subnets.map((f) => {
    if (f.s.id !== undefined) return { ...f, id: f.s.id };
    while (used.has(next)) next++;
    used.add(next);
    problems.warn(f.path, `no 'id' given; assigned id ${next} (Kea 3 requires an explicit id)`);
    return { ...f, id: next++ };
  });
}

const POOLS6: PoolFamily<bigint> = {
  parse: parsePool6,
  format: formatIpv6Big,
  forms: '"2001:db8::10 - 2001:db8::ff" or "2001:db8::/120"',
};

function checkPools6(s: Subnet6In, path: JsonPath, problems: Problems): Range6[] {
  const c = parseCidr6(s.subnet)!;
  return checkPools(s.pools, path, { lo: c.network, hi: c.last, text: s.subnet }, POOLS6, problems);
}

/** Kea's Pool6 rules for IA_PD (RFC 8415 §6.3, RFC 6603 §4.2). */
function checkPdPool(p: PdPoolIn, pp: JsonPath, seen: Range6[], problems: Problems): void {
  const plen = p["prefix-len"], dlen = p["delegated-len"];
  if (dlen < plen) {
    problems.add(
      [...pp, "delegated-len"],
      `delegated-len (${dlen}) must be greater than or equal to prefix-len (${plen})`,
    );
    return;
  }
  const pool = prefixOf6(parseIpv6Big(p.prefix)!, plen);
  const text = `${formatIpv6Big(pool.network)}/${plen}`;
  const k = seen.findIndex((q) => q.start <= pool.last && pool.network <= q.end);
  if (k >= 0) {
    problems.add(
      [...pp, "prefix"],
      `pd-pool ${text} overlaps pd-pool ${formatIpv6Big(seen[k].start)}-${formatIpv6Big(seen[k].end)}`,
    );
  } else seen.push({ start: pool.network, end: pool.last });
  const ex = p["excluded-prefix"], exLen = p["excluded-prefix-len"];
  if ((ex === undefined) !== (exLen === undefined || exLen === 0)) {
    const has = ex === undefined ? "excluded-prefix-len" : "excluded-prefix";
    problems.add([...pp, has], "'excluded-prefix' and 'excluded-prefix-len' must be given together");
    return;
  }
  if (ex === undefined || exLen === undefined || exLen === 0) return;
  if (exLen <= dlen) {
    problems.add(
      [...pp, "excluded-prefix-len"],
      `excluded-prefix-len (${exLen}) must be greater than delegated-len (${dlen})`,
    );
    return;
  }
  const first = prefixOf6(pool.network, dlen);
  const exAddr = parseIpv6Big(ex)!;
  if (prefixOf6(exAddr, dlen).network !== first.network) {
    problems.add(
      [...pp, "excluded-prefix"],
      `excluded prefix ${ex}/${exLen} is not inside the delegated prefix ${formatIpv6Big(first.network)}/${dlen}`,
    );
  }
}

function checkServerId(d: Dhcp6In, problems: Problems): void {
  const sid = d["server-id"];
  if (!sid) return;
  const p: JsonPath = ["Dhcp6", "server-id"];
  // Kea decodes the identifier as plain hex: pairs of digits, no separators, no 0x ("" = generate one)
  if (sid.identifier !== undefined && !/^([0-9a-fA-F]{2})*$/.test(sid.identifier)) {
    problems.add([...p, "identifier"], `identifier '${sid.identifier}' is not a valid string of hexadecimal digits`);
  }
  const used: Record<string, string[]> = { LLT: ["htype", "time"], EN: ["enterprise-id"], LL: ["htype"] };
  for (const k of ["htype", "time", "enterprise-id"] as const) {
    if (sid[k] !== undefined && !used[sid.type].includes(k)) {
      problems.warn([...p, k], `'${k}' is ignored for server-id type ${sid.type}`);
    }
  }
}

/**
 * The hook libraries of a Dhcp6 map: libdhcp_ha.so compiles its relationship (compile_ha.ts, the same parameters
 * as kea-dhcp6's HA hook), with a warning when libdhcp_lease_cmds.so is missing (the partner's lease6-bulk-apply
 * and lease6-get-page would be refused); any other library but the built-in ones is refused.
 */
function checkHooks(d: Dhcp6In, problems: Problems): HaConfig | undefined {
  let ha: HaConfig | undefined;
  let haSeen = false;
  const files = (d["hooks-libraries"] ?? []).map((h) => h.library.slice(h.library.lastIndexOf("/") + 1));
  (d["hooks-libraries"] ?? []).forEach((h, i) => {
    const file = files[i];
    const at = ["Dhcp6", "hooks-libraries", i], p = [...at, "library"];
    if (file === "libdhcp_ha.so") {
      if (haSeen) problems.add(p, "hook library 'libdhcp_ha.so' is loaded twice");
      else ha = compileHaParameters(h.parameters ?? {}, [...at, "parameters"], problems);
      haSeen = true;
      if (!files.includes("libdhcp_lease_cmds.so")) {
        problems.warn(
          p,
          "libdhcp_ha.so without libdhcp_lease_cmds.so: the partner's lease updates and lease syncs will be refused (Kea needs both on every peer)",
        );
      }
    } else if (file === "libdhcp_run_script.so") {
      checkRunScript(h.parameters, at, problems);
    } else if (file === BOOTP_HOOK) {
      // kea-dhcp6 2.2 loads it (also with -t) and never calls it: its callouts are DHCPv4 ones
      problems.warn(p, `hook library '${file}' does nothing in Dhcp6: BOOTP is DHCPv4 only`);
    } else if (sqlBackendHookNote(file)) {
      problems.info(p, sqlBackendHookNote(file)!);
    } else if (premiumHookRefusal(file)) {
      problems.add(p, premiumHookRefusal(file)!);
    } else if (!(BUILTIN_HOOKS as readonly string[]).includes(file)) {
      problems.add(
        p,
        `hook library '${file}' is not supported: weka builds in only ${BUILTIN_HOOKS.slice(0, -1).join(", ")} and ${
          BUILTIN_HOOKS.at(-1)
        }`,
      );
    }
  });
  return ha;
}

/** Kea: `interface` (directly reachable) and `interface-id` (via relays) exclude each other, and one shared
 * network is on one interface. */
function checkInterfaces(d: Dhcp6In, subnets: FlatSubnet6[], problems: Problems): void {
  const scopes: [Subnet6In | SharedNetwork6In, JsonPath][] = [
    ...subnets.map((f) => [f.s, f.path] as [Subnet6In, JsonPath]),
    ...(d["shared-networks"] ?? []).map((n, i) => [n, ["Dhcp6", "shared-networks", i]] as [SharedNetwork6In, JsonPath]),
  ];
  for (const [s, p] of scopes) {
    if (s.interface !== undefined && s["interface-id"] !== undefined) {
      problems.add(
        [...p, "interface-id"],
        "'interface' (a directly reachable link) and 'interface-id' (a link behind relays) cannot both be set",
      );
    }
  }
  (d["shared-networks"] ?? []).forEach((n) => {
    let iface = n.interface, from = "on the shared network itself";
    for (const f of subnets.filter((f) => f.network === n)) {
      const own = f.s.interface;
      if (own === undefined) continue;
      if (iface !== undefined && own !== iface) {
        problems.add(
          [...f.path, "interface"],
          `subnet ${f.s.subnet} has interface '${own}', but shared network '${n.name}' uses '${iface}' (set ${from})`,
        );
      } else if (iface === undefined) {
        iface = own;
        from = `by subnet ${f.s.subnet}`;
      }
    }
  });
}

/**
 * Checks a schema-valid Dhcp6 map and records every problem in `problems` (with the JSON path of the culprit)
 * and non-fatal findings as its warnings, following Kea 2.2's parsers (subnet id 1..2^32-2 and unique, one subnet
 * per prefix, pools inside their subnet and non-overlapping, pd-pool lengths and exclusion, reservations,
 * min ≤ default ≤ max for both lifetimes, renew-timer ≤ rebind-timer, shared-network names unique).
 */
export function checkDhcp6(d: Dhcp6In, problems: Problems): Checked6 {
  const idTypes: readonly HostIdType6[] = d["host-reservation-identifiers"] ??
    DHCP6_DEFAULTS["host-reservation-identifiers"];
  const ipUnique = d["ip-reservations-unique"] ?? true;
  const global = checkLifetimes6(d, undefined, ["Dhcp6"], problems);
  const netT = new Map(
    (d["shared-networks"] ?? []).map((
      n,
      i,
    ) => [n, checkLifetimes6(n, global, ["Dhcp6", "shared-networks", i], problems)]),
  );
  const names = new Map<string, number>();
  (d["shared-networks"] ?? []).forEach((n, i) => {
    const prev = names.get(n.name);
    if (prev !== undefined) {
      problems.add(
        ["Dhcp6", "shared-networks", i, "name"],
        `shared network '${n.name}' is already defined by Dhcp6.shared-networks[${prev}]`,
      );
    } else names.set(n.name, i);
  });
  checkReservations6(d.reservations, ["Dhcp6", "reservations"], undefined, idTypes, problems, ipUnique);
  checkReservationMode(d, ["Dhcp6"], problems);
  (d["shared-networks"] ?? []).forEach((n, i) => checkReservationMode(n, ["Dhcp6", "shared-networks", i], problems));
  const subnets = assignIds(flatten(d), problems);
  const seenIds = new Map<number, JsonPath>();
  const seenPrefix = new Map<string, JsonPath>();
  const pools = subnets.map((f) => {
    const { s, path, id } = f;
    if (s.id !== undefined && (id < SUBNET_ID_MIN || id > SUBNET_ID_MAX)) {
      problems.add([...path, "id"], `subnet id ${id} is out of range (${SUBNET_ID_MIN}..${SUBNET_ID_MAX})`);
    }
    const prevId = seenIds.get(id);
    if (prevId) problems.add([...path, "id"], `subnet id ${id} is already used by ${formatPath(prevId)}`);
    else seenIds.set(id, path);
    const c = parseCidr6(s.subnet)!;
    const key = `${formatIpv6Big(c.network)}/${c.len}`;
    const prevP = seenPrefix.get(key);
    if (prevP) problems.add([...path, "subnet"], `subnet ${key} is already defined by ${formatPath(prevP)}`);
    else seenPrefix.set(key, path);
    checkLifetimes6(s, f.network ? netT.get(f.network) : global, path, problems);
    checkReservationMode(s, path, problems);
    const seenPd: Range6[] = [];
    (s["pd-pools"] ?? []).forEach((p, j) => checkPdPool(p, [...path, "pd-pools", j], seenPd, problems));
    checkReservations6(
      s.reservations,
      [...path, "reservations"],
      { network: c.network, last: c.last, text: s.subnet },
      idTypes,
      problems,
      ipUnique,
    );
    return checkPools6(s, path, problems);
  });
  checkInterfaces(d, subnets, problems);
  checkServerId(d, problems);
  const ha = checkHooks(d, problems);
  return { subnets, pools, ...(ha ? { ha } : {}) };
}
