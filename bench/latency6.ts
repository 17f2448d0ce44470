/**
 * Reply delays of a DHCPv6 server under perfdhcp -6, as the client host sees them: tcpdump records the exchange on
 * the generator's interface, and each SOLICIT→ADVERTISE and REQUEST→REPLY pair is matched by transaction id
 * (RFC 8415 §8); the delays are capture timestamps. perfdhcp reports only averages, hence this. Used by
 * bench/bench6.ts (`BENCH_LATENCY`).
 */

/** DHCPv6 payloads with their capture time (µs) from a pcap file (Ethernet, IPv6, UDP 546/547). */
export function pcapDhcp6(buf: Uint8Array): { t: number; data: Uint8Array }[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 24) return [];
  const le = dv.getUint32(0, true) === 0xa1b2c3d4;
  const out: { t: number; data: Uint8Array }[] = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const t = dv.getUint32(off, le) * 1e6 + dv.getUint32(off + 4, le);
    const incl = dv.getUint32(off + 8, le);
    const pkt = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    // Ethernet type 0x86dd, IPv6 next header 17 (UDP), no extension headers (what the lab's hosts send)
    if (pkt.length < 62 || pkt[12] !== 0x86 || pkt[13] !== 0xdd || pkt[20] !== 17) continue;
    out.push({ t, data: pkt.subarray(62) });
  }
  return out;
}

/** Delays (ms, sorted) from each `req` message to the `rep` with the same transaction id. */
export function delays6(pkts: { t: number; data: Uint8Array }[], req: number, rep: number): number[] {
  const sent = new Map<number, number>();
  const out: number[] = [];
  for (const p of pkts) {
    if (p.data.length < 4) continue;
    const type = p.data[0], xid = (p.data[1] << 16) | (p.data[2] << 8) | p.data[3];
    if (type === req && !sent.has(xid)) sent.set(xid, p.t);
    else if (type === rep && sent.has(xid)) {
      out.push((p.t - sent.get(xid)!) / 1000);
      sent.delete(xid);
    }
  }
  return out.sort((a, b) => a - b);
}

/** The `p` quantile of sorted values (NaN when empty). */
export function pct(xs: number[], p: number): number {
  return xs.length ? xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] : NaN;
}
