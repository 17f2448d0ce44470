/**
 * Lab helper run inside a lab host by tests/e2e/starvation_test.ts:
 *   `deno run -A flood_send.ts discover COUNT`        broadcasts COUNT DISCOVERs (flood_packets.ts) to 255.255.255.255:67
 *   `deno run -A flood_send.ts solicit COUNT IFACE`   multicasts COUNT SOLICITs to [ff02::1:2%IFACE]:547 from port 546
 * paced in bursts of 100 so the server's socket buffer is not simply overrun, and prints
 * `sent N in MS ms[, replies R]` (R: the ADVERTISEs that came back to port 546, for `solicit`).
 */
import dgram from "node:dgram";
import { discoverFlood, solicitFlood } from "./flood_packets.ts";

const [kind, countText, iface] = Deno.args;
const count = Number(countText);
if ((kind !== "discover" && kind !== "solicit") || !(count > 0) || (kind === "solicit" && !iface)) {
  console.error("usage: flood_send.ts discover COUNT | solicit COUNT IFACE");
  Deno.exit(2);
}
const v6 = kind === "solicit";
const packets = v6 ? solicitFlood(count) : discoverFlood(count);
const sock = dgram.createSocket({ type: v6 ? "udp6" : "udp4", reuseAddr: true });
await new Promise<void>((r) => sock.bind(v6 ? 546 : 0, v6 ? "::" : "0.0.0.0", () => r()));
let replies = 0;
if (v6) sock.on("message", (m: Uint8Array) => void (m[0] === 2 && replies++));
else sock.setBroadcast(true);
const [addr, port] = v6 ? [`ff02::1:2%${iface}`, 547] : ["255.255.255.255", 67];

const t0 = performance.now();
let sent = 0;
for (let i = 0; i < packets.length; i += 100) {
  const burst = packets.slice(i, i + 100);
  await Promise.all(burst.map((p) => new Promise<void>((r, j) => sock.send(p, port, addr, (e) => (e ? j(e) : r())))));
  sent += burst.length;
  // ≈ 15 000 DISCOVERs/s at most; weka dhcp6 reads through node:dgram, slower: ≈ 8 000 SOLICITs/s
  await new Promise((r) => setTimeout(r, v6 ? 10 : 5));
}
const ms = performance.now() - t0;
if (v6) await new Promise((r) => setTimeout(r, 1000)); // the last ADVERTISEs
sock.close();
console.log(`sent ${sent} in ${ms.toFixed(0)} ms${v6 ? `, replies ${replies}` : ""}`);
