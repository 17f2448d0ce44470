/**
 * Lab helper run inside a lab host by tests/e2e/request_rules_test.ts: binds UDP `0.0.0.0:<port>`, sends each
 * hex-encoded DHCPv4 message of the JSON plan file to its `to` address (port 67), waits up to `waitMs` for a reply
 * carrying the same xid, and prints a JSON array with the reply's hex (or null: no answer within the wait).
 * Usage: deno run -A tests/e2e/dhcp4_probe.ts PLAN.json
 */
import dgram from "node:dgram";
import { parseHex, toHex } from "../../mod/wire/addr.ts";

interface Plan {
  port: number;
  waitMs: number;
  sends: { to: string; hex: string }[];
}

const plan = JSON.parse(await Deno.readTextFile(Deno.args[0])) as Plan;
const sock = dgram.createSocket({ type: "udp4", reuseAddr: true });
await new Promise<void>((ok) => sock.bind(plan.port, "0.0.0.0", () => ok()));
sock.setBroadcast(true);
let waiting: { xid: number; done: (hex: string) => void } | undefined;
sock.on("message", (msg: Uint8Array) => {
  const b = new Uint8Array(msg);
  if (b.length < 240 || b[0] !== 2 || !waiting) return;
  const xid = ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
  if (xid === waiting.xid) waiting.done(toHex(b));
});
const out: (string | null)[] = [];
for (const s of plan.sends) {
  const bytes = parseHex(s.hex)!;
  const xid = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
  const reply = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), plan.waitMs);
    waiting = { xid, done: (hex) => (clearTimeout(timer), resolve(hex)) };
    sock.send(bytes, 67, s.to);
  });
  waiting = undefined;
  out.push(reply);
}
sock.close();
console.log(JSON.stringify(out));
