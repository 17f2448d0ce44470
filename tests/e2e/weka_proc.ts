/**
 * Helpers of the end-to-end tests: write a lab configuration, start `weka dhcp4` inside a lab host exactly as an
 * operator would (`deno run -A main.ts dhcp4 -c FILE`, the entry point `deno task compile` builds), read its leases
 * and the statistics line it logs at shutdown.
 */
import { fileURLToPath } from "node:url";
import { Lab, type LabProcess } from "./lab.ts";

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
 * Starts `weka dhcp4 -c cfg` in `host` and waits until it serves: its DHCP4_STARTED line, or (when the config logs
 * only warnings) its UDP sockets on port 67 showing in `ss`.
 */
export async function startWeka(lab: Lab, host: string, cfg: string, args: string[] = []): Promise<LabProcess> {
  const p = lab.spawn(host, ["deno", "run", "-A", MAIN, "dhcp4", "-c", cfg, ...args]);
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (/DHCP4_STARTED/.test(p.output)) return p;
    if (p.exited) throw new Error(`weka exited during start-up:\n${p.output}`);
    const ss = await lab.run(host, ["ss", "-Hlunp", "sport", "=", ":67"]);
    if (ss.stdout.includes(`pid=${p.pid},`)) return p;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`weka did not start within 30 s:\n${p.output}`);
}

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
