/**
 * Reads the DHCPv4 replies out of a tcpdump capture (classic pcap, Ethernet link type): pcap file header (24 bytes),
 * then per packet a 16-byte record header and the frame — Ethernet (14 bytes), IPv4 (IHL words), UDP (8 bytes),
 * BOOTP. Used to compare what the servers acknowledged with what the lease table holds ("no ACK without a
 * committed row").
 */
import { decode4 } from "../../mod/packet4/codec.ts";
import { MsgType, Opt } from "../../mod/packet4/packet.ts";
import { formatIpv4 } from "../../mod/wire/addr.ts";

/** One DHCPACK seen on the wire. */
export interface AckSeen {
  address: string;
  mac: string;
}

/** The DHCPACKs of a capture file. */
export function acksIn(bytes: Uint8Array): AckSeen[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = v.getUint32(0, true) === 0xa1b2c3d4;
  const out: AckSeen[] = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const incl = v.getUint32(at + 8, le);
    const frame = bytes.subarray(at + 16, at + 16 + incl);
    at += 16 + incl;
    if (frame.length < 14 + 20 + 8 || frame[12] !== 0x08 || frame[13] !== 0x00) continue;
    const ihl = (frame[14] & 0x0f) * 4;
    if (frame[23] !== 17) continue;
    try {
      const p = decode4(frame.subarray(14 + ihl + 8), { lenient: true });
      if (p.options.get(Opt.MESSAGE_TYPE)?.[0] !== MsgType.ACK) continue;
      const mac = [...p.chaddr.subarray(0, p.hlen)].map((b) => b.toString(16).padStart(2, "0")).join(":");
      out.push({ address: formatIpv4(p.yiaddr), mac });
    } catch { /* not a DHCP packet */ }
  }
  return out;
}
