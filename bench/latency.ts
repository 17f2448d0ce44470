/**
 * `sudo deno run -A bench/latency.ts [RATES] [SECONDS]`: reply latency percentiles under perfdhcp (DESIGN.md: p99
 * under 5 ms at 1 000 DORA/s), for weka and, when installed, real Kea 2.2 in the same run. perfdhcp reports only
 * averages, so tcpdump captures the exchange on the client host and each DISCOVER→OFFER and REQUEST→ACK pair is
 * matched by transaction id; the times are the client-side capture timestamps. BENCH_KEA=off skips Kea.
 * RATES is one rate or a comma-separated list (`500,1000,2000,4000`: p50/p99 against rate, weka and Kea at each).
 * BENCH_PIN=1 runs the server on CPU 0 and perfdhcp + tcpdump on CPU 1; BENCH_KEEP=DIR keeps each run's capture and
 * server output there; BENCH_DENO_FLAGS adds `deno run` flags for weka (e.g. `--v8-flags=--trace-gc`).
 */
import { Lab, type LabProcess } from "../tests/e2e/lab.ts";
import { denoFlags, MAIN } from "../tests/e2e/weka_proc.ts";
import { perfdhcp } from "../tests/e2e/perfdhcp.ts";
import { decode4 } from "../mod/packet4/codec.ts";

const rates = (Deno.args[0] ?? "1000").split(",").map(Number);
const secs = Number(Deno.args[1] ?? 10);
/** BENCH_PIN=1: the server on CPU 0, perfdhcp and tcpdump on CPU 1 (the server's tail without the generator's) */
const PIN = Deno.env.get("BENCH_PIN") === "1";

/** DHCP payloads with their capture time (µs) from a pcap file (Ethernet, IPv4, UDP). */
export function pcapDhcp(buf: Uint8Array): { t: number; data: Uint8Array }[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const le = dv.getUint32(0, true) === 0xa1b2c3d4;
  const out: { t: number; data: Uint8Array }[] = [];
  for (let off = 24; off + 16 <= buf.length;) {
    const t = dv.getUint32(off, le) * 1e6 + dv.getUint32(off + 4, le);
    const incl = dv.getUint32(off + 8, le);
    const pkt = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    if (pkt.length < 42 || pkt[12] !== 8 || pkt[13] !== 0) continue;
    const udp = 14 + (pkt[14] & 15) * 4;
    out.push({ t, data: pkt.subarray(udp + 8) });
  }
  return out;
}

/** Percentiles (ms) of request→reply delays matched by xid: [request type, reply type]. */
export function delays(pkts: { t: number; data: Uint8Array }[], req: number, rep: number): number[] {
  const sent = new Map<number, number>();
  const out: number[] = [];
  for (const p of pkts) {
    let q;
    try {
      q = decode4(p.data, { lenient: true });
    } catch {
      continue;
    }
    const type = q.options.get(53)?.[0];
    if (type === req && !sent.has(q.xid)) sent.set(q.xid, p.t);
    else if (type === rep && sent.has(q.xid)) {
      out.push((p.t - sent.get(q.xid)!) / 1000);
      sent.delete(q.xid);
    }
  }
  return out.sort((a, b) => a - b);
}

const pct = (xs: number[], p: number) => xs.length ? xs[Math.min(xs.length - 1, Math.floor(xs.length * p))] : NaN;

/**
 * Starts `server` in lab host srv1 on eth0 (udp sockets, 198.18.0.0/16, a fresh memfile lease file in `dir`; Kea's
 * persisted without LFC) and returns it; used by bench:latency and bench:cpu.
 */
export async function startLabServer(
  lab: Lab,
  server: "weka" | "kea",
  dir: string,
  wrap: string[] = [],
): Promise<LabProcess> {
  const cfg = `${dir}/c.json`;
  await Deno.writeTextFile(
    cfg,
    JSON.stringify({
      Dhcp4: {
        "interfaces-config": { interfaces: ["eth0"], "dhcp-socket-type": "udp" },
        "lease-database": server === "kea"
          ? { type: "memfile", persist: true, name: `${dir}/l.csv`, "lfc-interval": 0 }
          : { type: "memfile", name: `${dir}/l.csv` },
        "valid-lifetime": 3600,
        subnet4: [{
          id: 1,
          subnet: "198.18.0.0/16",
          interface: "eth0",
          pools: [{ pool: "198.18.1.0 - 198.18.255.250" }],
        }],
        loggers: [{ name: "kea-dhcp4", "output_options": [{ output: `${dir}/log` }], severity: "WARN" }],
      },
    }),
  );
  await Deno.mkdir("/run/kea", { recursive: true });
  return lab.spawn(
    "srv1",
    [
      ...wrap,
      ...(server === "kea"
        ? ["kea-dhcp4", "-c", cfg]
        : ["deno", "run", "-A", ...denoFlags(), MAIN, "dhcp4", "-c", cfg]),
    ],
  );
}

async function run(lab: Lab, server: "weka" | "kea", rate: number): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: `lat-${server}-` });
  const srv = await startLabServer(lab, server, dir, PIN ? ["taskset", "-c", "0"] : []);
  await new Promise((r) => setTimeout(r, 2500));
  const gen = PIN ? ["taskset", "-c", "1"] : [];
  const cap = lab.spawn("cli", [...gen, "tcpdump", "-i", "eth0", "-U", "-w", `${dir}/cap.pcap`, "udp port 67"]);
  await new Promise((r) => setTimeout(r, 800));
  const r = await perfdhcp(lab, rate, secs, { server: "198.18.0.1", wrap: gen });
  await cap.stop("SIGINT", 3000);
  await srv.stop("SIGTERM", 5000);
  const pk = pcapDhcp(await Deno.readFile(`${dir}/cap.pcap`));
  const dO = delays(pk, 1, 2), ra = delays(pk, 3, 5);
  const keep = Deno.env.get("BENCH_KEEP");
  if (keep) {
    await Deno.copyFile(`${dir}/cap.pcap`, `${keep}/lat-${server}-${rate}.pcap`);
    await Deno.writeTextFile(`${keep}/lat-${server}-${rate}.out`, srv.output);
  }
  await Deno.remove(dir, { recursive: true });
  const f = (x: number) => x.toFixed(2);
  return `${server.padEnd(4)} rate=${r.rate.toFixed(0)} drops=${r.doDrop}%/${r.raDrop}% ` +
    `DISCOVER→OFFER p50=${f(pct(dO, 0.5))} p99=${f(pct(dO, 0.99))} max=${f(dO.at(-1) ?? NaN)} ms (${dO.length}); ` +
    `REQUEST→ACK p50=${f(pct(ra, 0.5))} p99=${f(pct(ra, 0.99))} max=${f(ra.at(-1) ?? NaN)} ms (${ra.length})`;
}

if (import.meta.main) {
  const why = Lab.available();
  if (why) {
    console.error(`latency: ${why}`);
    Deno.exit(1);
  }
  const lab = await Lab.up("wkq-");
  try {
    const kea = (await new Deno.Command("sh", { args: ["-c", "command -v kea-dhcp4"] }).output()).success;
    for (const rate of rates) {
      console.log(`perfdhcp ${rate}/s for ${secs} s, unicast relayed to 198.18.0.1; delays seen by the client host`);
      console.log(await run(lab, "weka", rate));
      if (kea && Deno.env.get("BENCH_KEA") !== "off") console.log(await run(lab, "kea", rate));
    }
  } finally {
    await lab.down();
  }
}
