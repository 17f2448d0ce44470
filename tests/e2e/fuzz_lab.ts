/**
 * The fuzz scenario in the namespace lab (issue 9 item 9), shared by the CI lab test (tests/e2e/fuzz_lab_test.ts,
 * 50 000 datagrams of each kind) and the benchmark (bench/fuzz.ts, 1 000 000): `weka run` in srv1 serves Dhcp4
 * (the fuzz configuration of tests/fuzz/configs.ts with DDNS on), Dhcp6 and DhcpDdns (listening on
 * 198.18.0.1:53001, updating a real BIND in the dns host); mutated DHCPv4 queries come from cli (unicast and
 * broadcast), DHCPv6 queries from the relay host (multicast and relayed unicast), NCR datagrams from cli — for
 * each DHCPv4 socket type (raw: AF_PACKET replies; udp). Afterwards the process must be alive, answer its control
 * sockets at once, have counted no packet exception (pkt4/pkt6-processing-failed, and no exception line in its
 * log), and serve real clients: dhclient -4, dhclient -6, and a valid NCR whose records appear in BIND. RSS is
 * read from /proc before and after. Needs root, bind9, dig and isc-dhcp-client.
 */
import { Lab, type LabProcess } from "./lab.ts";
import { MAIN, until } from "./weka_proc.ts";
import { buildRequest, sendUnix } from "../../mod/control/client.ts";
import { BIND_KEYS, BIND_ZONES } from "../ddns/bind_harness.ts";
import { fuzzConfig4, fuzzConfig6 } from "../fuzz/configs.ts";

const SENDER = new URL("../fuzz/lab_send.ts", import.meta.url).pathname;
const DNS = "198.18.0.53";

/** Log ids that mean an exception reached a last resort, or a loop died. */
export const EXCEPTION_LINE =
  /DHCP4_PACKET_PROCESS_EXCEPTION|DHCP6_PACKET_PROCESS_EXCEPTION|DHCP_DDNS_TRANS_PROCESS_EXCEPTION|RECEIVE_LOOP_STOPPED|Uncaught|stack trace/;

/** The tools the scenario runs; the reason it cannot run here, or undefined. */
export async function fuzzLabMissing(): Promise<string | undefined> {
  const why = Lab.available();
  if (why) return why;
  for (const t of ["named", "dig", "dhclient"]) {
    const o = await new Deno.Command("sh", { args: ["-c", `command -v ${t}`], stdout: "null", stderr: "null" })
      .output().catch(() => ({ success: false }));
    if (!o.success) return `${t} is not installed (Debian packages bind9, bind9-dnsutils, isc-dhcp-client)`;
  }
  return undefined;
}

/** The `weka run` configuration: Dhcp4 (socket type `socketType`), Dhcp6 and DhcpDdns, logging to `dir/weka.log`. */
export function fuzzLabConfig(dir: string, socketType: "raw" | "udp", severity = "WARN"): Record<string, unknown> {
  const logger = (name: string) => [{ name, "output_options": [{ output: `${dir}/weka.log` }], severity }];
  const d4 = fuzzConfig4({
    "interfaces-config": { interfaces: ["eth0", "eth1"], "dhcp-socket-type": socketType },
    "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
    "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl4.sock` },
    loggers: logger("kea-dhcp4"),
  });
  const d6 = fuzzConfig6({
    "lease-database": { type: "memfile", name: `${dir}/kea-leases6.csv` },
    "control-socket": { "socket-type": "unix", "socket-name": `${dir}/ctrl6.sock` },
    "server-id": { type: "LLT", persist: false },
    loggers: logger("kea-dhcp6"),
  });
  const key = (name: string) => ({ name, algorithm: BIND_KEYS[name][0].toUpperCase(), secret: BIND_KEYS[name][1] });
  const d2 = {
    "ip-address": "198.18.0.1",
    port: 53001,
    "dns-server-timeout": 500,
    "tsig-keys": [key("ddns-md5"), key("ddns-sha256")],
    "forward-ddns": {
      "ddns-domains": [{ name: "lab.test.", "key-name": "ddns-md5", "dns-servers": [{ "ip-address": DNS }] }],
    },
    "reverse-ddns": {
      "ddns-domains": [{
        name: "18.198.in-addr.arpa.",
        "key-name": "ddns-sha256",
        "dns-servers": [{ "ip-address": DNS }],
      }],
    },
  };
  return { ...d4, ...d6, DhcpDdns: d2 };
}

/** Starts BIND in the dns host with the harness's zones and keys; resolves to a `dig +short` once it answers. */
export async function labBind(lab: Lab, dir: string): Promise<(name: string, type: string) => Promise<string[]>> {
  let conf = `options { directory "${dir}"; listen-on port 53 { ${DNS}; }; listen-on-v6 { none; };
  pid-file "${dir}/named.pid"; recursion no; dnssec-validation no; allow-query { any; }; notify no; };\ncontrols { };\n`;
  for (const [name, [alg, secret]] of Object.entries(BIND_KEYS)) {
    conf += `key "${name}" { algorithm ${alg}; secret "${secret}"; };\n`;
  }
  const keys = Object.keys(BIND_KEYS).map((k) => `key "${k}";`).join(" ");
  for (const z of BIND_ZONES) {
    conf += `zone "${z}" { type primary; file "${dir}/${z}.zone"; allow-update { ${keys} }; };\n`;
    await Deno.writeTextFile(
      `${dir}/${z}.zone`,
      `$TTL 300\n@ IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300\n@ IN NS ns.lab.test.\n` +
        (z === "lab.test" ? `ns IN A ${DNS}\n` : ""),
    );
  }
  await Deno.writeTextFile(`${dir}/named.conf`, conf);
  const named = lab.spawn("dns", ["named", "-g", "-c", `${dir}/named.conf`, "-n", "1"]);
  const dig = async (name: string, type: string) => {
    const r = await lab.run("dns", ["dig", "+short", "+time=1", "+tries=1", `@${DNS}`, name, type]);
    return r.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  };
  if (!await until(async () => (await dig("lab.test", "SOA")).length > 0, 15_000)) {
    throw new Error(`BIND did not start:\n${named.output}`);
  }
  return dig;
}

/** One command on a control socket; the parsed answer. */
export async function command(sock: string, cmd: string, args?: unknown): Promise<Record<string, unknown>> {
  const a = JSON.parse(await sendUnix(sock, JSON.stringify(buildRequest(cmd, args)), 5_000));
  return (Array.isArray(a) ? a[0] : a) as Record<string, unknown>;
}

/** A statistic's current value from a control socket (0 when unknown). */
export async function stat(sock: string, name: string): Promise<number> {
  const a = await command(sock, "statistic-get", { name });
  const samples = (a.arguments as Record<string, [number, string][]> | undefined)?.[name];
  return samples?.[0]?.[0] ?? 0;
}

/** VmRSS and VmHWM (peak) of a process, in KiB, from /proc. */
export async function rssKiB(pid: number): Promise<{ rss: number; peak: number }> {
  const s = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? NaN);
  return { rss: kib("VmRSS"), peak: kib("VmHWM") };
}

/** Starts `weka run -c cfg` in srv1 and waits until both control sockets answer. */
export async function startWekaRun(lab: Lab, dir: string, cfg: string): Promise<LabProcess> {
  const p = lab.spawn("srv1", ["deno", "run", "-A", MAIN, "run", "-c", cfg]);
  const up = await until(async () => {
    if (p.exited) return true;
    try {
      await command(`${dir}/ctrl4.sock`, "version-get");
      await command(`${dir}/ctrl6.sock`, "version-get");
      return true;
    } catch {
      return false;
    }
  }, 40_000);
  if (!up || p.exited) throw new Error(`weka run did not start:\n${p.output}\n${await logTail(dir)}`);
  return p;
}

/** The last lines of weka's log file. */
export async function logTail(dir: string, n = 40): Promise<string> {
  const text = await Deno.readTextFile(`${dir}/weka.log`).catch(() => "");
  return text.trimEnd().split("\n").slice(-n).join("\n");
}

/** What one fuzz sender run reported. */
export interface Sent {
  sent: number;
  errors: number;
  firstError: string;
  ms: number;
}

/** Runs the fuzz sender (tests/fuzz/lab_send.ts) in `host`: cases `from`..`from + count - 1` of `seed`. */
export async function sendFuzz(
  lab: Lab,
  host: string,
  kind: "dhcp4" | "dhcp6" | "ncr",
  server: string,
  port: number,
  count: number,
  seed: number,
  rate = 10_000,
  from = 0,
): Promise<Sent> {
  const args = [kind, server, String(port), String(count), String(seed), String(from), String(rate)];
  const out = await lab.check(host, ["deno", "run", "-A", SENDER, ...args]);
  return JSON.parse(out.trim().split("\n").at(-1)!) as Sent;
}

/**
 * Waits until the statistic `name` stops growing (the server has worked through its receive queue) or `ms`
 * pass; returns its last value.
 */
export async function settled(sock: string, name: string, ms = 60_000): Promise<number> {
  let last = -1, now = await stat(sock, name);
  const end = Date.now() + ms;
  while (now !== last && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 700));
    last = now;
    now = await stat(sock, name);
  }
  return now;
}

/** UDP receive-buffer drops in `host` (the kernel's RcvbufErrors for UDP and UDP6), to tell lost from refused. */
export async function udpDrops(lab: Lab, host: string): Promise<number> {
  const out = await lab.check(host, ["nstat", "-az", "UdpRcvbufErrors", "Udp6RcvbufErrors"]);
  return [...out.matchAll(/RcvbufErrors\s+(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

/** dhclient -4 (or -6) once in `host`; the address it bound, or undefined with its output. */
export async function dhclient(lab: Lab, dir: string, host: string, v6: boolean, tag: string) {
  const args = ["-pf", `${dir}/${tag}.pid`, "-lf", `${dir}/${tag}.leases`, "-1", "-v", "eth0"];
  const r = await lab.run(host, ["timeout", "40", "dhclient", v6 ? "-6" : "-4", ...args]);
  const text = r.stdout + r.stderr;
  const m = v6 ? /Bound to lease|bound to [0-9a-f:]+/i.exec(text) : /bound to (\d+\.\d+\.\d+\.\d+)/.exec(text);
  // release so a later run starts from INIT and the address goes back to the pool
  await lab.run(host, ["timeout", "20", "dhclient", v6 ? "-6" : "-4", "-r", ...args.filter((a) => a !== "-1")]);
  return { ok: r.code === 0 && m !== null, output: text };
}
