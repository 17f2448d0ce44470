/**
 * Helpers for the fixture capture tools: UDP payloads out of a loopback pcap, field-by-field annotation of a DNS
 * message as hex with comments, and running a command with input.
 */
import { Reader } from "../../mod/wire/bytes.ts";
import { readName } from "../../mod/ddns/dns/name.ts";
import { className, typeName } from "../../mod/ddns/dns/constants.ts";

function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(" ");
}

/** Field-by-field annotation of a DNS message (independent walk; rdata shown raw). */
export function annotate(b: Uint8Array): string {
  const out: string[] = [];
  const r = new Reader(b);
  const line = (from: number, text: string) => out.push(`${hex(b.subarray(from, r.pos)).padEnd(48)} # ${text}`);
  let at = r.pos;
  const id = r.u16();
  line(at, `ID 0x${id.toString(16)}`);
  at = r.pos;
  const w = r.u16();
  line(
    at,
    `QR=${w >> 15} opcode=${(w >> 11) & 15} AA=${(w >> 10) & 1} TC=${(w >> 9) & 1} RD=${(w >> 8) & 1} RCODE=${w & 15}`,
  );
  const counts: number[] = [];
  for (const n of ["ZOCOUNT", "PRCOUNT", "UPCOUNT", "ADCOUNT"]) {
    at = r.pos;
    counts.push(r.u16());
    line(at, `${n} ${counts[counts.length - 1]}`);
  }
  for (let i = 0; i < counts[0]; i++) {
    at = r.pos;
    const n = readName(r);
    line(at, `zone name ${n}`);
    at = r.pos;
    const t = r.u16(), c = r.u16();
    line(at, `zone type ${typeName(t)} class ${className(c)}`);
  }
  const secs = ["prerequisite", "update", "additional"];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]; i++) {
      at = r.pos;
      const n = readName(r);
      line(at, `${secs[s]} owner ${n}`);
      at = r.pos;
      const t = r.u16(), c = r.u16(), ttl = r.u32(), len = r.u16();
      line(at, `type ${typeName(t)} class ${className(c)} ttl ${ttl} rdlength ${len}`);
      if (len) {
        at = r.pos;
        r.bytes(len);
        line(at, `rdata (${typeName(t)})`);
      }
    }
  }
  return out.join("\n") + "\n";
}

export async function run(cmd: string, args: string[], input?: string): Promise<string> {
  const p = new Deno.Command(cmd, { args, stdin: input ? "piped" : "null", stdout: "piped", stderr: "piped" }).spawn();
  if (input) {
    const w = p.stdin.getWriter();
    await w.write(new TextEncoder().encode(input));
    await w.close();
  }
  const o = await p.output();
  return new TextDecoder().decode(o.stdout) + new TextDecoder().decode(o.stderr);
}

/** Reads UDP payloads to/from `port` out of a pcap file (DLT_EN10MB on lo, IPv4). */
export function pcapPayloads(buf: Uint8Array, port: number): { toServer: boolean; data: Uint8Array }[] {
  const dv = new DataView(buf.buffer);
  const le = dv.getUint32(0, true) === 0xa1b2c3d4;
  let off = 24;
  const res: { toServer: boolean; data: Uint8Array }[] = [];
  while (off + 16 <= buf.length) {
    const incl = dv.getUint32(off + 8, le);
    const pkt = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const ip = 14, ihl = (pkt[ip] & 15) * 4, udp = ip + ihl;
    const dport = (pkt[udp + 2] << 8) | pkt[udp + 3];
    const ulen = (pkt[udp + 4] << 8) | pkt[udp + 5];
    res.push({ toServer: dport === port, data: pkt.slice(udp + 8, udp + ulen) });
  }
  return res;
}
