/**
 * Interface discovery and the choice of interfaces to serve, following Kea's `interfaces-config.interfaces`:
 * "*" serves every interface that is up, not loopback and has an IPv4 address; "eth0" serves that interface;
 * "eth0/198.18.0.1" serves it with that address as the server's own; an empty list serves nothing.
 *
 * Discovery (I/O) uses `Deno.networkInterfaces()` for names, addresses and MACs, and libc's if_nametoindex and
 * ioctl(SIOCGIFFLAGS) for the index and the up/loopback flags (reading /sys would need --allow-all, because
 * /sys/class/net entries are symlinks). Resolution is pure: the interface list is passed in.
 */
import { C, closeQuietly, ifNameToIndex, libc, pinned } from "./libc.ts";
import { formatIpv4, parseHex, parseIpv4 } from "../wire/addr.ts";

/** One network interface as weka sees it. */
export interface IfaceInfo {
  name: string;
  index: number;
  mac: Uint8Array;
  /** IPv4 addresses with their prefix length, in the order the kernel lists them */
  addrs: { addr: number; len: number }[];
  up: boolean;
  loopback: boolean;
}

/** An interface chosen for service: its info plus the address used as the server identifier on it. */
export interface ServedInterface {
  name: string;
  index: number;
  mac: Uint8Array;
  /** the address named as `eth0/ADDR`, else the interface's first IPv4 address */
  addr: number;
  addrs: { addr: number; len: number }[];
}

/** What the config names (`Dhcp4.interfaces-config.interfaces`, parsed): a name or "*", and an optional address. */
export interface InterfaceSpecLike {
  name: string;
  address?: number;
}

const KEY = "Dhcp4.interfaces-config.interfaces";

/**
 * Lists the host's interfaces with their IPv4 addresses, MAC, index and flags. Needs `--allow-sys` and
 * `--allow-ffi`. Interfaces that have no address at all are not reported by the OS API and are absent.
 */
export function listInterfaces(): IfaceInfo[] {
  const byName = new Map<string, IfaceInfo>();
  for (const e of Deno.networkInterfaces()) {
    let info = byName.get(e.name);
    if (!info) {
      const flags = interfaceFlags(e.name);
      info = {
        name: e.name,
        index: ifNameToIndex(e.name),
        mac: parseHex(e.mac) ?? new Uint8Array(6),
        addrs: [],
        up: (flags & C.IFF_UP) !== 0,
        loopback: (flags & C.IFF_LOOPBACK) !== 0,
      };
      byName.set(e.name, info);
    }
    if (e.family === "IPv4") {
      const addr = parseIpv4(e.address);
      const len = Number(e.cidr.split("/")[1] ?? 32);
      if (addr !== undefined) info.addrs.push({ addr, len });
    }
  }
  return [...byName.values()].sort((a, b) => a.index - b.index);
}

/** ioctl(SIOCGIFFLAGS) on a throw-away AF_INET socket: the interface flags (IFF_UP, IFF_LOOPBACK…), 0 on error. */
function interfaceFlags(name: string): number {
  const l = libc();
  const fd = l.socket(C.AF_INET, C.SOCK_DGRAM | C.SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  try {
    const ifr = pinned(40); // struct ifreq: ifr_name[16], then ifr_flags (short)
    ifr.set(new TextEncoder().encode(name).subarray(0, 15));
    if (l.ioctl(fd, BigInt(C.SIOCGIFFLAGS), ifr) < 0) return 0;
    return new DataView(ifr.buffer).getUint16(16, true);
  } finally {
    closeQuietly(fd);
  }
}

/**
 * Chooses the interfaces to serve from the config's specs and the host's interfaces (pure), as Kea's
 * CfgIface does: "*" adds every up, non-loopback interface with an IPv4 address; a name adds that interface
 * (even loopback, as Kea allows with udp sockets) and must exist and carry an IPv4 address; "name/ADDR" also picks
 * the server address, which must be on it. An empty list serves nothing. A named interface that is down is skipped
 * with a warning, as Kea skips it when opening sockets. Throws an Error speaking to the operator otherwise.
 */
export function resolveServedInterfaces(
  specs: readonly InterfaceSpecLike[],
  all: readonly IfaceInfo[],
  warn: (message: string) => void = () => {},
): ServedInterface[] {
  const chosen = new Map<string, ServedInterface>();
  const present = () => all.map((i) => i.name).join(", ") || "(none)";
  for (const spec of specs) {
    if (spec.name === "*") {
      for (const i of all) {
        if (i.loopback || !i.up || i.addrs.length === 0 || chosen.has(i.name)) continue;
        chosen.set(i.name, served(i, i.addrs[0].addr));
      }
      continue;
    }
    const i = all.find((x) => x.name === spec.name);
    if (!i) throw new Error(`interface '${spec.name}' named in ${KEY} does not exist; present: ${present()}`);
    if (i.addrs.length === 0) {
      throw new Error(`interface '${spec.name}' named in ${KEY} has no IPv4 address; DHCPv4 needs one to serve on it`);
    }
    let addr = i.addrs[0].addr;
    if (spec.address !== undefined) {
      if (!i.addrs.some((a) => a.addr === spec.address)) {
        throw new Error(
          `address ${formatIpv4(spec.address)} named in ${KEY} ('${spec.name}/${formatIpv4(spec.address)}') ` +
            `is not configured on interface '${spec.name}'; it has: ${
              i.addrs.map((a) => formatIpv4(a.addr)).join(", ")
            }`,
        );
      }
      addr = spec.address;
    }
    if (!i.up) {
      warn(`interface '${spec.name}' named in ${KEY} is down; not serving it`);
      continue;
    }
    chosen.set(i.name, served(i, addr)); // a later, more specific entry replaces a "*" choice
  }
  return [...chosen.values()];
}

function served(i: IfaceInfo, addr: number): ServedInterface {
  return { name: i.name, index: i.index, mac: i.mac, addr, addrs: i.addrs };
}
