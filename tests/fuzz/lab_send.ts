/**
 * `deno run -A tests/fuzz/lab_send.ts KIND SERVER PORT COUNT SEED [FROM] [RATE]`: sends COUNT fuzz cases
 * (FROM .. FROM+COUNT-1 of run SEED) to a server from inside a lab host, paced at RATE datagrams/s (default
 * 20 000, under what a socket buffer absorbs), and prints one JSON line `{"sent":…,"errors":…,"ms":…}`.
 *
 * KIND `dhcp4`: gen4.ts queries to SERVER:PORT, a quarter of them (the direct, unrelayed ones) to
 * 255.255.255.255 instead, as a client without an address sends. KIND `dhcp6`: gen6.ts queries, relayed ones
 * unicast to SERVER, direct ones to ff02::1:2 on eth0 or unicast as each case says. KIND `ncr`: gen_ncr.ts
 * datagrams to D2 at SERVER:PORT. Tests and benchmarks only.
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";
import { UdpSocket4 } from "../../mod/net/udp4.ts";
import { parseIpv4 } from "../../mod/wire/addr.ts";
import { caseSeed, Rng } from "./rng.ts";
import { packet4 } from "./gen4.ts";
import { packet6 } from "./gen6.ts";
import { ncrDatagram } from "./gen_ncr.ts";

const [kind, server, portText, countText, seedText, fromText, rateText] = Deno.args;
if (!["dhcp4", "dhcp6", "ncr"].includes(kind) || !server || !countText || !seedText) {
  console.error("usage: lab_send.ts dhcp4|dhcp6|ncr SERVER PORT COUNT SEED [FROM] [RATE]");
  Deno.exit(2);
}
const port = Number(portText), count = Number(countText), seed = Number(seedText);
const from = Number(fromText ?? 0), rate = Number(rateText ?? 20_000);

// IPv4 goes through the project's FFI socket (Deno's node:dgram cannot send to 255.255.255.255); IPv6 through
// node:dgram, which reaches ff02::1:2 on a named interface
const v6 = kind === "dhcp6" || server.includes(":");
// bound to eth0 (SO_BINDTODEVICE): a lab host has no default route, and a limited broadcast needs a way out
const sock4 = v6 ? undefined : UdpSocket4.open({ iface: "eth0", port: 0, bindToDevice: true, broadcast: true });
const sock6 = v6 ? dgram.createSocket({ type: "udp6", reuseAddr: true }) : undefined;
if (sock6) await new Promise<void>((r) => sock6.bind(0, () => r()));

/** Sends one datagram; resolves to the error text, or "" when it left. */
function send(data: Uint8Array, host: string): Promise<string> {
  if (sock4) {
    try {
      sock4.send(data, parseIpv4(host)!, port);
      return Promise.resolve("");
    } catch (e) {
      return Promise.resolve((e as Error).message);
    }
  }
  return new Promise((resolve) => {
    sock6!.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength), port, host, (e: Error | null) => {
      resolve(e ? `${e.message} (${host})` : "");
    });
  });
}

/** Case i: its bytes and where they go. */
function next(i: number): { data: Uint8Array; host: string } {
  const rng = new Rng(caseSeed(seed, i));
  if (kind === "dhcp4") {
    const { bytes, aim } = packet4(rng);
    return { data: bytes, host: !aim.giaddr && i % 4 === 0 ? "255.255.255.255" : server };
  }
  if (kind === "dhcp6") {
    const { bytes, aim } = packet6(rng);
    return { data: bytes, host: !aim.relayed && aim.multicast ? "ff02::1:2%eth0" : server };
  }
  return { data: ncrDatagram(rng), host: server };
}

let sent = 0, errors = 0, firstError = "";
const t0 = performance.now();
const CHUNK = 200;
for (let i = from; i < from + count; i += CHUNK) {
  const n = Math.min(CHUNK, from + count - i);
  const results = await Promise.all(Array.from({ length: n }, (_, k) => {
    const { data, host } = next(i + k);
    return send(data, host);
  }));
  for (const e of results) {
    if (e) {
      errors++;
      firstError ||= e;
    } else sent++;
  }
  // pace: the i-th datagram leaves no earlier than i/rate seconds after the start
  const ahead = ((i + n - from) / rate) * 1000 - (performance.now() - t0);
  if (ahead > 1) await new Promise((r) => setTimeout(r, ahead));
}
sock4?.close();
sock6?.close();
console.log(JSON.stringify({ sent, errors, firstError, ms: Math.round(performance.now() - t0) }));
