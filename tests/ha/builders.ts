/**
 * Plain-data builders the HA tests share: a DHCPv4 lease of subnet 1 and a DHCPv4 query (BOOTREQUEST, Ethernet,
 * RFC 2131 §2 fields) with the given hardware address and options. No I/O, tests only.
 */
import type { Packet4 } from "../../mod/packet4/packet.ts";
import type { Lease4 } from "../../mod/lease/types.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";

/** A default-state lease of `ip` to `hw` in subnet 1, 600 s valid from `cltt` (seconds). */
export function lease4(ip: string, hw: string, cltt: number): Lease4 {
  return {
    address: parseIpv4(ip)!,
    hwaddr: hw,
    clientId: "",
    validLifetime: 600,
    cltt,
    subnetId: 1,
    fqdnFwd: false,
    fqdnRev: false,
    hostname: "",
    state: 0,
  };
}

/** A BOOTREQUEST from hardware address `mac` (hlen its length) carrying `options`, xid 0x1234. */
export function query4(mac: Uint8Array, options: Map<number, Uint8Array>, secs = 0): Packet4 {
  const chaddr = new Uint8Array(16);
  chaddr.set(mac);
  return {
    op: 1,
    htype: 1,
    hlen: mac.length,
    hops: 0,
    xid: 0x1234,
    secs,
    flags: 0,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0,
    chaddr,
    sname: "",
    file: "",
    options,
  };
}
