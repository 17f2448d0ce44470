/**
 * Helpers of the end-to-end tests: write a lab configuration, start `weka dhcp4` inside a lab host exactly as an
 * operator would (`deno run -A main.ts dhcp4 -c FILE`, the entry point `deno task compile` builds), read its leases
 * and the statistics line it logs at shutdown.
 */
import { fileURLToPath } from "node:url";
import { Lab, type LabProcess } from "./lab.ts";
import { buildRequest, sendUnix } from "../../mod/control/client.ts";
import type { PeerAnswer, PeerClient } from "../../mod/ha/peer_client.ts";

/** Absolute path of the repository's main.ts. */
export const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));

/** The lab configuration: LAN A and LAN B on srv1's eth0/eth1, LAN C behind the relay (198.20.0.1). */
export function labConfig(dir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0", "eth1"] },
      "lease-database": { type: "memfile", name: `${dir}/kea-leases4.csv` },
      "valid-lifetime": 300,
      "renew-timer": 6,
      "rebind-timer": 200,
      subnet4: [
        {
          id: 1,
          subnet: "198.18.0.0/16",
          interface: "eth0",
          pools: [{ pool: "198.18.1.0 - 198.18.255.250" }],
          "option-data": [{ name: "routers", data: "198.18.0.1" }, {
            name: "domain-name-servers",
            data: "198.18.0.53",
          }],
        },
        {
          id: 2,
          subnet: "198.19.0.0/16",
          interface: "eth1",
          pools: [{ pool: "198.19.1.10 - 198.19.1.200" }],
          "option-data": [{ name: "routers", data: "198.19.0.1" }],
        },
        {
          id: 3,
          subnet: "198.20.0.0/16",
          relay: { "ip-addresses": ["198.20.0.1"] },
          pools: [{ pool: "198.20.1.10 - 198.20.1.200" }],
          "option-data": [{ name: "routers", data: "198.20.0.1" }],
        },
      ],
      loggers: [{ name: "kea-dhcp4", "output_options": [{ output: "stdout" }], severity: "INFO" }],
      ...extra,
    },
  };
}

/** Writes `config` as JSON into `dir` and returns the file path. */
export async function writeConfig(dir: string, config: Record<string, unknown>, name = "weka.json"): Promise<string> {
  const path = `${dir}/${name}`;
  await Deno.writeTextFile(path, JSON.stringify(config, null, 2));
  return path;
}

/**
 * Extra `deno run` flags for the weka servers the lab starts, from BENCH_DENO_FLAGS (space-separated; e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the servers of a benchmark). None by default.
 */
export function denoFlags(): string[] {
  return Deno.env.get("BENCH_DENO_FLAGS")?.split(" ").filter(Boolean) ?? [];
}

/**
 * Starts `weka dhcp4 -c cfg` in `host` and waits until it serves: its DHCP4_STARTED line, or (when the config logs
 * only warnings) its UDP sockets on port 67 showing in `ss` and the unix control sockets its config names in place.
 */
export async function startWeka(lab: Lab, host: string, cfg: string, args: string[] = []): Promise<LabProcess> {
  const p = lab.spawn(host, [
    "deno",
    "run",
    "-A",
    ...denoFlags(),
    MAIN,
    "dhcp4",
    "-c",
    cfg,
    ...args,
  ]);
  const sockets = unixSocketsOf(cfg);
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (/DHCP4_STARTED/.test(p.output)) return p;
    if (p.exited) throw new Error(`weka exited during start-up:\n${p.output}`);
    const ss = await lab.run(host, ["ss", "-Hlunp", "sport", "=", ":67"]);
    // the DHCP sockets are bound before the control channel opens (it opens last, as Kea's): wait for it too
    if (ss.stdout.includes(`pid=${p.pid},`) && (await Promise.all(sockets.map(exists))).every(Boolean)) return p;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`weka did not start within 30 s:\n${p.output}`);
}

/** The unix control sockets a Dhcp4 config file names (`control-socket`, `control-sockets`); [] when unreadable. */
function unixSocketsOf(cfg: string): string[] {
  try {
    const d4 = JSON.parse(Deno.readTextFileSync(cfg)).Dhcp4 ?? {};
    const all = [d4["control-socket"], ...(d4["control-sockets"] ?? [])].filter(Boolean);
    return all.filter((s) => (s["socket-type"] ?? "unix") === "unix" && s["socket-name"]).map((s) => s["socket-name"]);
  } catch {
    return [];
  }
}

/** Whether a unix socket at `path` accepts a connection (a stale file left by a killed server does not). */
const exists = (path: string) => Deno.connect({ transport: "unix", path }).then((c) => (c.close(), true), () => false);

/** A lease as `weka leases list --json` prints it. */
export interface LeaseRow {
  address: string;
  hwaddr: string;
  clientId: string;
  subnetId: number;
  state: number;
  cltt: number;
  validLifetime: number;
  hostname: string;
}

/** The leases of the database `cfg` names, read by `weka leases list --json` (a reader beside the server). */
export async function leases(cfg: string): Promise<LeaseRow[]> {
  const o = await new Deno.Command("deno", { args: ["run", "-A", MAIN, "leases", "list", "--json", "-c", cfg] })
    .output();
  const text = new TextDecoder().decode(o.stdout);
  if (!o.success) throw new Error(`weka leases list failed: ${new TextDecoder().decode(o.stderr)}`);
  return JSON.parse(text) as LeaseRow[];
}

/** Parses the `DHCP4_SHUTDOWN … statistics: a=1 b=2` line weka logs when it stops. */
export function shutdownStats(output: string): Record<string, number> {
  const m = /DHCP4_SHUTDOWN .*statistics: (.*)/.exec(output);
  if (!m) throw new Error(`no DHCP4_SHUTDOWN line in:\n${output.slice(-2000)}`);
  return Object.fromEntries(
    m[1].trim().split(/\s+/).map((kv) => {
      const [k, v] = kv.split("=");
      return [k, Number(v)];
    }),
  );
}

/** Polls `fn` until it returns a truthy value or `ms` pass; returns the last value. */
export async function until<T>(fn: () => Promise<T>, ms: number, stepMs = 250): Promise<T> {
  const end = Date.now() + ms;
  let v = await fn();
  while (!v && Date.now() < end) {
    await new Promise((r) => setTimeout(r, stepMs));
    v = await fn();
  }
  return v;
}

/** Waits until `iface` of `host` has a link-local address past DAD (dhclient -6 and DHCPv6 servers need one). */
export async function linkLocalReady(lab: Lab, host: string, iface = "eth0"): Promise<void> {
  const ok = await until(async () => {
    const out = await lab.check(host, ["ip", "-6", "-o", "addr", "show", "dev", iface, "scope", "link"]);
    return /fe80::/.test(out) && !/tentative/.test(out);
  }, 15_000);
  if (!ok) throw new Error(`${host}: ${iface} has no usable link-local address`);
}

/**
 * Polls `states` (e.g. each server's ha-heartbeat state) every 500 ms until every field of `want` matches or `ms`
 * pass; returns the states seen last, for the caller to assert on.
 */
export async function untilStates<S extends Record<string, string>>(
  states: () => Promise<S>,
  want: S,
  ms: number,
): Promise<S> {
  let s = await states();
  await until(
    async () => {
      s = await states();
      return Object.keys(want).every((k) => s[k] === want[k]);
    },
    ms,
    500,
  );
  return s;
}

/**
 * The `step` of a scenario test: runs each named t.step until one fails, then skips the rest (each step builds on
 * the one before); a failure's message is `step "NAME" failed: MESSAGE` and, on the next line, `context()` (the
 * HA states and the servers' output then).
 */
export function scenarioSteps(
  t: Deno.TestContext,
  context: () => Promise<string>,
): (name: string, fn: () => Promise<void>) => Promise<void> {
  let ok = true;
  return async (name, fn) => {
    if (!ok) return;
    ok = await t.step(name, async () => {
      try {
        await fn();
      } catch (e) {
        throw new Error(`step "${name}" failed: ${(e as Error).message}\n${await context()}`, { cause: e });
      }
    });
  };
}

/** The last `n` lines of a lab process's output (for a failure message), `absent` when it never ran. */
export function outputTail(p: LabProcess | undefined, n = 25, absent = "(not running)"): string {
  return p ? p.output.trimEnd().split("\n").slice(-n).join("\n") : absent;
}

/**
 * Runs busybox udhcpc once on `host`'s eth0 (no script: the address is not configured), with `extra` arguments
 * (e.g. `["-x", "hostname:kiosk-17"]`), and returns its output.
 */
export async function udhcpcOnce(lab: Lab, host: string, extra: string[] = []): Promise<string> {
  const args = ["-i", "eth0", "-n", "-q", "-s", "/bin/true", "-t", "8", ...extra];
  const r = await lab.run(host, ["timeout", "30", "udhcpc", ...args]);
  return r.stdout + r.stderr;
}

/**
 * Registers an end-to-end test that runs in a fresh lab whose namespaces are named `ns…` and with a temporary
 * directory (prefix `dirPrefix`); both are removed afterwards, whatever happens. Skipped when `why` says the lab
 * cannot run here. Lab processes outlive steps, so Deno's op and resource sanitizers are off.
 */
export function labTest(
  name: string,
  why: string | undefined,
  ns: string,
  dirPrefix: string,
  fn: (t: Deno.TestContext, lab: Lab, dir: string) => Promise<void>,
): void {
  Deno.test({
    name,
    ignore: why !== undefined,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      const dir = await Deno.makeTempDir({ prefix: dirPrefix });
      const lab = await Lab.up(ns);
      try {
        await fn(t, lab, dir);
      } finally {
        await lab.down();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    },
  });
}

/**
 * A `fetch` that runs inside lab host `host` (curl through `ip netns exec`), so HTTP clients such as the HA
 * PeerClient can reach the lab's addresses from the test process. Only what PeerClient uses is supported: POST
 * of a text body with its headers; a curl failure becomes a TypeError (a timeout a "TimeoutError"), as with fetch.
 */
export function labFetch(lab: Lab, host: string, maxSec = 4, tls?: LabTls): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const args = ["curl", "-sS", "-m", String(maxSec), "-o", "-", "-w", "\n%{http_code}", "-X", init.method ?? "GET"];
    if (tls) args.push("--cacert", tls.ca, "--cert", tls.cert, "--key", tls.key);
    for (const [k, v] of new Headers(init.headers).entries()) args.push("-H", `${k}: ${v}`);
    if (typeof init.body === "string") args.push("--data-binary", init.body);
    args.push(String(input instanceof Request ? input.url : input));
    const r = await lab.run(host, args);
    if (!r.success) {
      const e = new TypeError(`curl in ${host} exited ${r.code}: ${r.stderr.trim()}`);
      if (r.code === 28) e.name = "TimeoutError";
      throw e;
    }
    const cut = r.stdout.lastIndexOf("\n");
    return new Response(r.stdout.slice(0, cut), { status: Number(r.stdout.slice(cut + 1)) });
  }) as typeof fetch;
}

/** The PEM files a lab HTTPS client uses: the CA that signed the server, and its own certificate and key. */
export interface LabTls {
  ca: string;
  cert: string;
  key: string;
}

/**
 * What an anonymous client (no credentials, no client certificate) gets from an HA listener for `command`: the
 * HTTP status ("000" when the TLS handshake or the connection failed) and curl's exit code. Runs curl in `host`.
 */
export async function anonymousCommand(
  lab: Lab,
  host: string,
  url: string,
  command: string,
  args: unknown,
  ca?: string,
): Promise<{ status: string; code: number; body: string }> {
  const r = await lab.run(host, [
    "curl",
    "-s",
    "-m",
    "3",
    ...(ca ? ["--cacert", ca] : []),
    "-o",
    "-",
    "-w",
    "\n%{http_code}",
    "-d",
    JSON.stringify({ command, service: ["dhcp4"], arguments: args }),
    url,
  ]);
  const cut = r.stdout.lastIndexOf("\n");
  return { status: r.stdout.slice(cut + 1), code: r.code, body: r.stdout.slice(0, Math.max(0, cut)) };
}

/** Sets the MAC address of `iface` in lab host `host` (a new DHCP client identity for udhcpc/dhclient there). */
export async function setMac(lab: Lab, host: string, iface: string, mac: string): Promise<void> {
  const r = await lab.run(host, ["ip", "link", "set", "dev", iface, "address", mac]);
  if (r.success) return;
  await lab.check(host, ["ip", "link", "set", "dev", iface, "down"]);
  await lab.check(host, ["ip", "link", "set", "dev", iface, "address", mac]);
  await lab.check(host, ["ip", "link", "set", "dev", iface, "up"]);
}

/** The address and server of udhcpc's "lease of A obtained from S" line; undefined when it got none. */
export function udhcpcLease(output: string): { address: string; server: string } | undefined {
  const m = /lease of (\d+\.\d+\.\d+\.\d+) obtained from (\d+\.\d+\.\d+\.\d+)/.exec(output);
  return m ? { address: m[1], server: m[2] } : undefined;
}

/** The HA state a peer reports in its `ha-heartbeat` answer, or "no answer (…)" / "result N (…)" saying why not. */
export async function heartbeatState(peer: PeerClient): Promise<string> {
  try {
    const a = await peer.send("ha-heartbeat");
    if (a.result !== 0) return `result ${a.result} (${a.text})`;
    return String(a.arguments?.state);
  } catch (e) {
    return `no answer (${(e as Error).message.slice(0, 160)})`;
  }
}

/** Sends one command to weka's (or Kea's) unix control socket `sock` and returns the parsed answer. */
export async function controlCommand(sock: string, command: string, args?: unknown): Promise<PeerAnswer> {
  const text = await sendUnix(sock, JSON.stringify(buildRequest(command, args)), 10_000);
  const a = JSON.parse(text);
  return (Array.isArray(a) ? a[0] : a) as PeerAnswer;
}

/** `[ip-address, hw-address]` of every lease in a `lease4-get-all` answer (result 3 = none). */
export function leasePairs(a: PeerAnswer): [string, string][] {
  return leaseMaps(a).map((l) => [String(l["ip-address"]), String(l["hw-address"])]);
}

/** The lease maps of a `lease4-get-all` answer (result 3 = none); throws on another error. */
export function leaseMaps(a: PeerAnswer): Record<string, unknown>[] {
  if (a.result === 3) return [];
  if (a.result !== 0) throw new Error(`lease4-get-all failed: ${a.text}`);
  return (a.arguments?.leases ?? []) as Record<string, unknown>[];
}

/** Where Debian's Kea 2.2 keeps its hook libraries (weka accepts the same paths for its built-in modules). */
export const HOOKS = "/usr/lib/x86_64-linux-gnu/kea/hooks";

/** The HA timings of the lab tests (ms): failure is detected within max-response-delay + heartbeat-delay. */
export const HA_TIMING = { heartbeatDelay: 1000, maxResponseDelay: 4000, maxAckDelay: 1000 };

/** The HA parameters of the lab tests: HA_TIMING, no unacked clients, small sync pages. */
export const LAB_HA_PARAMS: Record<string, unknown> = {
  "heartbeat-delay": HA_TIMING.heartbeatDelay,
  "max-response-delay": HA_TIMING.maxResponseDelay,
  "max-ack-delay": HA_TIMING.maxAckDelay,
  "max-unacked-clients": 0,
  "sync-page-limit": 2, // several lease4-get-page rounds even with a handful of leases
};

/**
 * The two hooks (Kea's libdhcp_lease_cmds.so + libdhcp_ha.so) with one HA relationship: `me` among `peers` (name,
 * url, role, optional extra keys such as basic-auth-user; all auto-failover) in `mode`, with the relationship
 * parameters `params` (default: this test's).
 */
export function haHooks(
  me: string,
  mode: string,
  peers: [string, string, string, Record<string, unknown>?][],
  params: Record<string, unknown> = LAB_HA_PARAMS,
): unknown[] {
  return [
    { library: `${HOOKS}/libdhcp_lease_cmds.so` },
    {
      library: `${HOOKS}/libdhcp_ha.so`,
      parameters: {
        "high-availability": [{
          "this-server-name": me,
          mode,
          ...params,
          peers: peers.map(([name, url, role, extra]) => ({ name, url, role, "auto-failover": true, ...extra })),
        }],
      },
    },
  ];
}

/** A Dhcp4 map on LAN A (eth0, 198.18.0.0/16) with `pools`, a unix control socket, `lease` storage and `hooks`. */
export function haDhcp4(sock: string, lease: unknown, pools: unknown[], hooks: unknown[], logger = "kea-dhcp4") {
  return {
    Dhcp4: {
      "interfaces-config": { interfaces: ["eth0"] },
      "control-socket": { "socket-type": "unix", "socket-name": sock },
      "lease-database": lease,
      "valid-lifetime": 600,
      "renew-timer": 300,
      "rebind-timer": 500,
      subnet4: [{
        id: 1,
        subnet: "198.18.0.0/16",
        interface: "eth0",
        pools,
        "option-data": [{ name: "routers", data: "198.18.0.1" }],
      }],
      "hooks-libraries": hooks,
      loggers: [{ name: logger, output_options: [{ output: "stdout" }], severity: "INFO" }],
    },
  };
}

/**
 * Runs busybox udhcpc in `host` (eth0) until it is bound, with a script (written into `dir`) that configures the
 * address, then stops it with SIGTERM: with `-R` it then unicasts a DHCPRELEASE from that address (it does not
 * with `-q`, nor without the address). Returns its output ("unicasting a release" shows the release went out).
 */
export async function udhcpcBindAndRelease(lab: Lab, host: string, dir: string): Promise<string> {
  const script = `${dir}/udhcpc-addr.sh`;
  await Deno.writeTextFile(
    script,
    '#!/bin/sh\ncase "$1" in\n  bound|renew) ip addr add "$ip/$mask" dev "$interface" ;;\n' +
      '  deconfig) ip -4 addr flush dev "$interface" ;;\nesac\nexit 0\n',
    { mode: 0o755 },
  );
  const u = lab.spawn(host, ["udhcpc", "-f", "-R", "-i", "eth0", "-s", script, "-t", "8"]);
  await u.waitFor(/lease of \S+ obtained/, 30_000);
  await u.stop("SIGTERM", 3000);
  return u.output;
}

/** Why a lab test cannot run here: the lab's own reason, else the first of `paths` not installed (with `hint`). */
export function labSkipReason(paths: string[], hint: string): string | undefined {
  const lab = Lab.available();
  if (lab) return lab;
  for (const p of paths) {
    try {
      Deno.statSync(p);
    } catch {
      return `${p} is not installed (${hint})`;
    }
  }
  return undefined;
}
