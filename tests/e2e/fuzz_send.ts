/** `deno run -A fuzz_send.ts ADDR PORT COUNT`: sends COUNT bad datagrams (fuzz_packets.ts) to ADDR:PORT, paced. */
import dgram from "node:dgram";
import { badPackets } from "./fuzz_packets.ts";

const [addr, port, count] = [Deno.args[0], Number(Deno.args[1]), Number(Deno.args[2] ?? 10000)];
const sock = dgram.createSocket("udp4");
await new Promise<void>((r) => sock.bind(0, () => r()));
let sent = 0;
const packets = badPackets(count);
for (let i = 0; i < packets.length; i++) {
  await new Promise<void>((r, j) => sock.send(packets[i], port, addr, (e) => (e ? j(e) : r())));
  sent++;
  if (i % 200 === 199) await new Promise((r) => setTimeout(r, 10)); // ~20k/s: stay under the socket buffer
}
sock.close();
console.log(`sent ${sent}`);
