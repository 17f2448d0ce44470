/**
 * Well-formed floods for the starvation tests (issue 9): DHCPDISCOVERs from random MAC addresses and DHCPv6
 * SOLICITs (IA_NA + IA_PD) from random DUIDs, as a scanner or a broken device sends them. Deterministic: the same
 * seed gives the same clients. Built with the project's own codecs.
 */
import { encode4 } from "../../mod/packet4/codec.ts";
import type { Packet4 } from "../../mod/packet4/packet.ts";
import { encode6 } from "../../mod/packet6/codec.ts";
import { MsgType6, Opt6 } from "../../mod/packet6/packet.ts";
import { prng } from "./fuzz_packets.ts";

/** A random unicast, locally administered MAC (the first octet's low bits 10), six bytes. */
function randomMac(rnd: () => number): Uint8Array {
  const mac = new Uint8Array(6);
  for (let i = 0; i < 6; i++) mac[i] = Math.floor(rnd() * 256);
  mac[0] = (mac[0] & 0xfc) | 0x02;
  return mac;
}

/** `count` DHCPDISCOVERs, each from its own random MAC with its own xid (options 53, 55; no broadcast flag). */
export function discoverFlood(count: number, seed = 9): Uint8Array[] {
  const rnd = prng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const chaddr = new Uint8Array(16);
    chaddr.set(randomMac(rnd));
    const p: Packet4 = {
      op: 1,
      htype: 1,
      hlen: 6,
      hops: 0,
      xid: Math.floor(rnd() * 0x100000000),
      secs: 0,
      flags: 0,
      ciaddr: 0,
      yiaddr: 0,
      siaddr: 0,
      giaddr: 0,
      chaddr,
      sname: "",
      file: "",
      options: new Map([[53, new Uint8Array([1])], [55, new Uint8Array([1, 3, 6, 15])]]),
    };
    out.push(encode4(p));
  }
  return out;
}

/**
 * `count` SOLICITs, each from its own random DUID-LL (RFC 8415 §11.4) asking for one IA_NA and one IA_PD, with an
 * Elapsed Time option; no Rapid Commit (an ADVERTISE commits nothing).
 */
export function solicitFlood(count: number, seed = 6): Uint8Array[] {
  const rnd = prng(seed);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const duid = new Uint8Array(10);
    duid.set([0, 3, 0, 1]); // DUID-LL, hardware type 1 (Ethernet)
    duid.set(randomMac(rnd), 4);
    const iaid = Math.floor(rnd() * 0x100000000);
    const ia = { iaid, t1: 0, t2: 0, addresses: [], prefixes: [], options: [] };
    out.push(encode6({
      kind: "message",
      msgType: MsgType6.SOLICIT,
      transactionId: Math.floor(rnd() * 0x1000000),
      ias: [{ kind: "na", ...ia }, { kind: "pd", ...ia }],
      options: [
        { code: Opt6.CLIENTID, data: duid },
        { code: Opt6.ELAPSED_TIME, data: new Uint8Array(2) },
      ],
    }));
  }
  return out;
}
