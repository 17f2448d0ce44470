/**
 * The semantic checks of a schema-valid `Dhcp4` map, with Kea's rules: subnet ids unique and in range, pools
 * inside their subnet and not overlapping, reservations inside their subnet with a valid and unique hardware
 * address and address, lifetimes in order, renew-timer not above rebind-timer. Option data is checked when it is
 * encoded (compile4.ts).
 */

import { parseCidr4, prefixMask } from "../wire/addr.ts";
import {
  BUILTIN_HOOKS,
  DHCP4_DEFAULTS,
  premiumHookRefusal,
  sqlBackendHookNote,
  SUBNET_ID_MAX,
  SUBNET_ID_MIN,
} from "./defaults.ts";
import { formatPath, type JsonPath, type Problems } from "./errors.ts";
import { checkPools, POOLS4, type Range4 } from "./pool_range.ts";
import type { Dhcp4In, SharedNetwork4In, Subnet4In } from "./schema4.ts";
import { checkReservationMode, checkReservations4 } from "./reservations4.ts";
import { checkHostIdentifiers4 } from "./host_identifiers4.ts";
import { checkSharedNetworks4, subnetEntries4, type SubnetEntry4 } from "./shared_networks4.ts";
import { compileHaParameters } from "./compile_ha.ts";
import type { HaConfig } from "./model_ha.ts";

/** What the checks learned that the compiler needs: the subnet ids (configured or assigned) and the pools. */
export interface Checked4 {
  subnetIds: number[];
  /** parsed pools per subnet, in configuration order */
  pools: Range4[][];
  /** the compiled HA relationship, when libdhcp_ha.so is loaded and its parameters are valid */
  ha?: HaConfig;
}

const TIMER_KEYS = ["valid-lifetime", "min-valid-lifetime", "max-valid-lifetime", "renew-timer", "rebind-timer"];

type Triplet = {
  valid: number;
  min: number;
  max: number;
  /** min/max as configured at this scope or above (undefined = never configured) */
  minSet?: number;
  maxSet?: number;
  renew?: number;
  rebind?: number;
};

/**
 * Effective lifetimes of a scope, inheriting from `parent`. Kea defaults min and max to the scope's own valid
 * lifetime unless they were configured at this scope or above (a subnet's shorter valid-lifetime does not clash
 * with a global default min).
 */
function effective(s: Partial<Dhcp4In> | Subnet4In | SharedNetwork4In, parent?: Triplet): Triplet {
  const valid = s["valid-lifetime"] ?? parent?.valid ?? DHCP4_DEFAULTS["valid-lifetime"];
  const minSet = s["min-valid-lifetime"] ?? parent?.minSet;
  const maxSet = s["max-valid-lifetime"] ?? parent?.maxSet;
  return {
    valid,
    minSet,
    maxSet,
    min: minSet ?? valid,
    max: maxSet ?? valid,
    renew: s["renew-timer"] ?? parent?.renew,
    rebind: s["rebind-timer"] ?? parent?.rebind,
  };
}

/** Kea's triplet and timer rules for one scope; reported at the scope's own keys. */
function checkTimers(
  scope: Partial<Dhcp4In> | Subnet4In | SharedNetwork4In,
  t: Triplet,
  base: JsonPath,
  problems: Problems,
): void {
  const own = (k: string) => (k in scope ? [...base, k] : base);
  if (t.min > t.valid) {
    problems.add(
      own("min-valid-lifetime"),
      `min-valid-lifetime (${t.min}) is greater than valid-lifetime (${t.valid})`,
    );
  }
  if (t.valid > t.max) {
    problems.add(own("max-valid-lifetime"), `max-valid-lifetime (${t.max}) is less than valid-lifetime (${t.valid})`);
  }
  if (t.renew !== undefined && t.rebind !== undefined && t.renew > t.rebind) {
    problems.add(own("renew-timer"), `renew-timer (${t.renew}) is greater than rebind-timer (${t.rebind})`);
  }
  if (t.rebind !== undefined && t.rebind >= t.valid) {
    problems.warn(
      own("rebind-timer"),
      `rebind-timer (${t.rebind}) is not below valid-lifetime (${t.valid}); it will not be sent`,
    );
  }
}

/** Assigns ids to subnets without one (Kea 2.2 numbers them itself; Kea 3 requires them), skipping used ids. */
function assignIds(entries: SubnetEntry4[], problems: Problems): number[] {
  const used = new Set(entries.map((e) => e.subnet.id).filter((id): id is number => id !== undefined));
  let next = 1;
  return entries.map(({ subnet: s, path }) => {
    if (s.id !== undefined) return s.id;
    while (used.has(next)) next++;
    used.add(next);
    problems.warn(path, `no 'id' given; assigned id ${next} (Kea 3 requires an explicit id)`);
    return next++;
  });
}

/**
 * Checks a schema-valid Dhcp4 map and records every problem in `problems` (with the JSON path of the culprit)
 * and non-fatal findings as its warnings. Follows Kea's parsers (subnet id 1..2^32-2 and unique, pools inside
 * their subnet and non-overlapping, reserved addresses inside the subnet, one reservation per hardware address
 * and per address, min ≤ valid ≤ max, renew-timer ≤ rebind-timer).
 */
export function checkDhcp4(d: Dhcp4In, problems: Problems): Checked4 {
  const globalT = effective(d);
  checkTimers(d, globalT, ["Dhcp4"], problems);
  checkReservationMode(d, ["Dhcp4"], problems);
  const ipUnique = d["ip-reservations-unique"] ?? true;
  checkReservations4(d.reservations, ["Dhcp4", "reservations"], undefined, problems, ipUnique);
  checkHostIdentifiers4(d, problems);
  const entries = subnetEntries4(d);
  checkSharedNetworks4(d, entries, problems);
  const networkT = new Map((d["shared-networks"] ?? []).map((n, k) => {
    const t = effective(n, globalT);
    if (TIMER_KEYS.some((key) => key in n)) checkTimers(n, t, ["Dhcp4", "shared-networks", k], problems);
    checkReservationMode(n, ["Dhcp4", "shared-networks", k], problems);
    return [n, t];
  }));
  const ids = assignIds(entries, problems);
  const seenIds = new Map<number, JsonPath>();
  const allPools: Range4[][] = [];
  entries.forEach(({ subnet: s, path: sp, network }, i) => {
    const parentT = (network && networkT.get(network)) || globalT;
    const id = ids[i];
    if (s.id !== undefined && (id < SUBNET_ID_MIN || id > SUBNET_ID_MAX)) {
      problems.add([...sp, "id"], `subnet id ${id} is out of range (${SUBNET_ID_MIN}..${SUBNET_ID_MAX})`);
    }
    const prev = seenIds.get(id);
    if (prev !== undefined) {
      problems.add([...sp, "id"], `subnet id ${id} is already used by ${formatPath(prev)}`);
    } else seenIds.set(id, sp);
    const c = parseCidr4(s.subnet)!;
    const lo = c.network, hi = (c.network | ~prefixMask(c.len)) >>> 0;
    if (TIMER_KEYS.some((k) => k in s)) checkTimers(s, effective(s, parentT), sp, problems);

    const pools = checkPools(s.pools, sp, { lo, hi, text: s.subnet }, POOLS4, problems);
    allPools.push(pools);

    checkReservationMode(s, sp, problems);
    checkReservations4(s.reservations, [...sp, "reservations"], { lo, hi, text: s.subnet }, problems, ipUnique);
  });
  let ha: HaConfig | undefined;
  let haSeen = false;
  const hookFiles = (d["hooks-libraries"] ?? []).map((h) => h.library.slice(h.library.lastIndexOf("/") + 1));
  (d["hooks-libraries"] ?? []).forEach((h, i) => {
    const file = hookFiles[i];
    if (file === "libdhcp_ha.so") {
      const p = ["Dhcp4", "hooks-libraries", i];
      if (haSeen) problems.add([...p, "library"], "hook library 'libdhcp_ha.so' is loaded twice");
      else ha = compileHaParameters(h.parameters ?? {}, [...p, "parameters"], problems);
      haSeen = true;
      if (!hookFiles.includes("libdhcp_lease_cmds.so")) {
        problems.warn(
          [...p, "library"],
          "libdhcp_ha.so without libdhcp_lease_cmds.so: the partner's lease updates and lease syncs will be refused (Kea needs both on every peer)",
        );
      }
    } else if (file === "libdhcp_run_script.so") {
      checkRunScript(h.parameters, ["Dhcp4", "hooks-libraries", i], problems);
    } else if (sqlBackendHookNote(file)) {
      problems.info(["Dhcp4", "hooks-libraries", i, "library"], sqlBackendHookNote(file)!);
    } else if (premiumHookRefusal(file)) {
      problems.add(["Dhcp4", "hooks-libraries", i, "library"], premiumHookRefusal(file)!);
    } else if (!(BUILTIN_HOOKS as readonly string[]).includes(file)) {
      problems.add(
        ["Dhcp4", "hooks-libraries", i, "library"],
        `hook library '${file}' is not supported: weka builds in only ${BUILTIN_HOOKS.slice(0, -1).join(", ")} and ${
          BUILTIN_HOOKS.at(-1)
        }`,
      );
    }
  });
  return { subnetIds: ids, pools: allPools, ...(ha ? { ha } : {}) };
}

/** libdhcp_run_script.so's parameters, checked as the hook checks them at load (its messages; Dhcp4 and Dhcp6). */
export function checkRunScript(
  params: Record<string, unknown> | undefined,
  p: (string | number)[],
  problems: Problems,
): void {
  const name = params?.name;
  if (name === undefined) problems.add([...p, ...(params ? ["parameters"] : [])], "The 'name' parameter is mandatory");
  else if (typeof name !== "string") {
    problems.add([...p, "parameters", "name"], "The 'name' parameter must be a string");
  }
  if (params?.sync !== undefined && typeof params.sync !== "boolean") {
    problems.add([...p, "parameters", "sync"], "The 'sync' parameter must be a boolean");
  }
}
