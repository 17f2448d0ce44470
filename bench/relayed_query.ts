/** The query the benchmarks send: a relayed (giaddr 198.18.0.100) DHCPv4 message from client number `i`. */
import { encode4 } from "../mod/packet4/codec.ts";
import type { Packet4 } from "../mod/packet4/packet.ts";

/** Client `i`'s message of `type` (option 53) with `extra` options and parameter request list `prl`. */
export function relayedQuery(
  i: number,
  type: number,
  extra: [number, Uint8Array][] = [],
  prl: number[] = [1, 3, 6, 15],
): Uint8Array {
  const chaddr = new Uint8Array(16);
  chaddr.set([2, 0, (i >>> 16) & 255, (i >>> 8) & 255, i & 255, 1]);
  const p: Packet4 = {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 1,
    xid: i,
    secs: 0,
    flags: 0,
    ciaddr: 0,
    yiaddr: 0,
    siaddr: 0,
    giaddr: 0xc6120064,
    chaddr,
    sname: "",
    file: "",
    options: new Map([[53, new Uint8Array([type])], ...extra, [55, new Uint8Array(prl)]]),
  };
  return encode4(p);
}
