/**
 * DHCPv4 shared networks in the config loader (Kea `shared-networks[]`, ARM "Shared Networks in DHCPv4"): the flat
 * list of every subnet with its JSON path and network, the view of a member subnet after inheritance from its
 * network (global → shared network → subnet), and Kea's checks on networks (unique names, one interface per link,
 * one subnet per prefix) and a warning for a relay address that selects more than one network.
 */

import { parseCidr4, parseIpv4 } from "../wire/addr.ts";
import { RESERVATION_MODES } from "./defaults.ts";
import { formatPath, type JsonPath, type Problems } from "./errors.ts";
import type { Dhcp4In, SharedNetwork4In, Subnet4In } from "./schema4.ts";
import type { DdnsParams, OptionValue, SharedNetwork4, Subnet4 } from "./model.ts";

/** What a member subnet takes from its shared network besides the inherited scalars (compile4.ts). */
export interface NetworkScope {
  name: string;
  /** the network's own options, and the global ones with the network's over them */
  own: Map<number, OptionValue>;
  merged: Map<number, OptionValue>;
  /** the network's DDNS behaviour (global → network) */
  ddns: DdnsParams;
  /** the network's additional classes (`require-client-classes`, `evaluate-additional-classes`) */
  additional?: string[];
}

/** Where a subnet is written and, for a member of a shared network, the network's scope (compile4.ts). */
export interface SubnetPlace {
  path: JsonPath;
  network?: NetworkScope;
  /** the subnet sets its own class guard (an inherited guard is checked at the network) */
  ownGuard?: boolean;
}

/** One subnet of the configuration, wherever it is written. */
export interface SubnetEntry4 {
  /** the subnet as written */
  subnet: Subnet4In;
  /** `Dhcp4.subnet4[i]` or `Dhcp4.shared-networks[n].subnet4[j]` */
  path: JsonPath;
  /** the shared network holding it, when any */
  network?: SharedNetwork4In;
  /** its path (`Dhcp4.shared-networks[n]`), when in a network */
  networkPath?: JsonPath;
}

/**
 * Every subnet of a Dhcp4 map in Kea's order: the top-level `subnet4` list first, then each shared network's
 * subnets in order (Kea parses the shared networks after the plain subnets and copies their subnets into the one
 * subnet list).
 */
export function subnetEntries4(d: Dhcp4In): SubnetEntry4[] {
  const out: SubnetEntry4[] = (d.subnet4 ?? []).map((subnet, i) => ({ subnet, path: ["Dhcp4", "subnet4", i] }));
  (d["shared-networks"] ?? []).forEach((network, n) => {
    const networkPath: JsonPath = ["Dhcp4", "shared-networks", n];
    (network.subnet4 ?? []).forEach((subnet, j) => {
      out.push({ subnet, path: [...networkPath, "subnet4", j], network, networkPath });
    });
  });
  return out;
}

/** Keys a member subnet takes from its network when it does not set them itself (Kea's Network inheritance). */
const INHERITED = [
  "valid-lifetime",
  "min-valid-lifetime",
  "max-valid-lifetime",
  "offer-lifetime",
  "renew-timer",
  "rebind-timer",
  "calculate-tee-times",
  "t1-percent",
  "t2-percent",
  "authoritative",
  "match-client-id",
  "next-server",
  "server-hostname",
  "boot-file-name",
  "interface",
  "allocator",
  "store-extended-info",
  "cache-threshold",
  "cache-max-age",
] as const;

const FLAGS = ["reservations-global", "reservations-in-subnet", "reservations-out-of-pool"] as const;

type FlagScope = Pick<Subnet4In, (typeof FLAGS)[number] | "reservation-mode">;

/** A scope's own value of one reservation flag: the flag, else what its `reservation-mode` stands for. */
function ownFlag(scope: FlagScope, k: (typeof FLAGS)[number]): boolean | undefined {
  const mode = scope["reservation-mode"];
  return scope[k] ?? (mode !== undefined ? RESERVATION_MODES[mode][k] : undefined);
}

/**
 * A member subnet as the compiler sees it: each inherited scalar (lifetimes, timers, flags, boot fields,
 * interface) from the subnet, else from its network; the class guard from the subnet, else the network's; the
 * reservation flags per flag (a scope's `reservation-mode` counts as setting all three); relay addresses of both.
 * Option data and `ddns-*` keys are not merged here: the compiler lays them global → network → subnet.
 * Returns the subnet itself when it is in no network.
 */
export function inheritFromNetwork(s: Subnet4In, net: SharedNetwork4In | undefined): Subnet4In {
  if (!net) return s;
  const out: Record<string, unknown> = { ...s };
  for (const k of INHERITED) if (out[k] === undefined && net[k] !== undefined) out[k] = net[k];
  if (s["client-class"] === undefined && s["client-classes"] === undefined) {
    if (net["client-class"] !== undefined) out["client-class"] = net["client-class"];
    if (net["client-classes"] !== undefined) out["client-classes"] = net["client-classes"];
  }
  delete out["reservation-mode"];
  for (const k of FLAGS) {
    const v = ownFlag(s, k) ?? ownFlag(net, k);
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  const relay = [...relayList(net.relay), ...relayList(s.relay)];
  if (relay.length) out.relay = { "ip-addresses": [...new Set(relay)] };
  return out as Subnet4In;
}

/**
 * Warns when one relay address (giaddr) is listed for a shared network and also for a subnet outside it or for
 * another network: Kea accepts it, but only the first match in configuration order is ever selected.
 */
function checkRelays(entries: SubnetEntry4[], problems: Problems): void {
  const owners = new Map<string, { what: string; network?: SharedNetwork4In }>();
  const seen = new Set<SharedNetwork4In>();
  const note = (addr: string, what: string, path: JsonPath, network?: SharedNetwork4In) => {
    const prev = owners.get(addr);
    if (!prev) owners.set(addr, { what, network });
    else if ((prev.network || network) && prev.network !== network) {
      problems.warn(
        [...path, "relay"],
        `relay address ${addr} already selects ${prev.what}; queries relayed from it never reach ${what}`,
      );
    }
  };
  for (const e of entries) {
    const net = e.network;
    if (net && !seen.has(net)) {
      seen.add(net);
      for (const a of relayList(net.relay)) note(a, `shared network '${net.name}'`, e.networkPath!, net);
    }
    const what = net ? `shared network '${net.name}'` : `subnet ${e.subnet.subnet}`;
    for (const a of relayList(e.subnet.relay)) note(a, what, e.path, net);
  }
}

/** The addresses of a relay map, in either spelling (Kea 2.2's `ip-address` or `ip-addresses`). */
export function relayList(r: Subnet4In["relay"]): string[] {
  return [...(r?.["ip-addresses"] ?? []), ...(r?.["ip-address"] !== undefined ? [r["ip-address"]] : [])];
}

/**
 * Kea's checks on shared networks and the subnet list they join: network names are unique (CfgSharedNetworks4),
 * a member subnet's `interface` agrees with its network's and with the earlier members' (SharedNetwork4Parser:
 * one network is one link), and no prefix is defined twice anywhere (CfgSubnets4:
 * a subnet inside a network cannot also be listed at the top level). Problems are recorded at the culprit's path.
 */
export function checkSharedNetworks4(d: Dhcp4In, entries: SubnetEntry4[], problems: Problems): void {
  const names = new Map<string, number>();
  (d["shared-networks"] ?? []).forEach((net, n) => {
    const np: JsonPath = ["Dhcp4", "shared-networks", n];
    const prev = names.get(net.name);
    if (prev !== undefined) {
      problems.add(
        [...np, "name"],
        `shared network name '${net.name}' is already used by Dhcp4.shared-networks[${prev}]`,
      );
    } else names.set(net.name, n);
    let iface = net.interface;
    let ifaceFrom = `shared network '${net.name}'`;
    (net.subnet4 ?? []).forEach((s, j) => {
      const own = s.interface;
      if (own === undefined) return;
      if (iface === undefined) {
        iface = own;
        ifaceFrom = `Dhcp4.shared-networks[${n}].subnet4[${j}] of shared network '${net.name}'`;
      } else if (own !== iface) {
        problems.add(
          [...np, "subnet4", j, "interface"],
          `subnet ${s.subnet} is on interface '${own}', but ${ifaceFrom} is on '${iface}'; the subnets of a ` +
            `shared network share one link`,
        );
      }
    });
  });
  checkRelays(entries, problems);
  const prefixes = new Map<string, JsonPath>();
  for (const e of entries) {
    const c = parseCidr4(e.subnet.subnet);
    if (!c) continue;
    const key = `${c.network}/${c.len}`;
    const prev = prefixes.get(key);
    if (prev !== undefined) {
      problems.add(
        [...e.path, "subnet"],
        `subnet ${e.subnet.subnet} is already defined at ${formatPath(prev)} (a prefix may be configured once)`,
      );
    } else prefixes.set(key, e.path);
  }
}

/**
 * The model's list of shared networks (model.ts SharedNetwork4), in configuration order: name, member subnet ids
 * (compiled `subnets`, parallel to `entries`), the network's own interface and relay addresses.
 */
export function sharedNetworkModels(d: Dhcp4In, entries: SubnetEntry4[], subnets: Subnet4[]): SharedNetwork4[] {
  return (d["shared-networks"] ?? []).map((n) => {
    const net: SharedNetwork4 = {
      name: n.name,
      subnetIds: subnets.filter((_, i) => entries[i].network === n).map((s) => s.id),
      relayAddresses: relayList(n.relay).map((a) => parseIpv4(a)!),
    };
    if (n.interface !== undefined) net.interface = n.interface;
    return net;
  });
}
