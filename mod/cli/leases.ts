/**
 * `weka leases list|export|import -c FILE`: the leases of the server a configuration describes. `list` asks the
 * running server over its control socket (lease4-get-page, a thousand at a time: what the server holds now, as
 * Kea's tools ask Kea), and reads the lease database directly only when no server answers there (or it has no
 * lease commands). `export` only reads, so it works beside a running server; `import` writes, so it
 * needs the server stopped: a running server announces itself in `<kv path>.pid` (as Kea writes a pid file), and
 * import refuses while that process lives (use the control channel's lease4-add/lease4-update instead).
 * Export and import use Kea's kea-leases4.csv format, so a Kea site can bring its leases along; large files show a
 * progress bar on a terminal. `importCsvAtStartup` is the server's start-up import of an existing Kea lease file
 * (kea-leases4.csv or, with parseKeaCsv6, kea-leases6.csv). `-6` (or a file with only Dhcp6) works on the DHCPv6
 * database in Kea's kea-leases6.csv format (mod/cli/leases6.ts).
 */
import { loadRoleConfigFile } from "../config/load_role.ts";
import { reportConfigFailure } from "./config_test.ts";
import { KvLeaseStore } from "../lease/kv_store.ts";
import { formatKeaCsv4, parseKeaCsv4 } from "../lease/kea_csv.ts";
import { type Lease4, leaseExpire } from "../lease/types.ts";
import { formatIpv4, parseIpv4 } from "../wire/addr.ts";
import { type ControlTarget, findTarget } from "./control_target.ts";

const STATE = ["default", "declined", "expired-reclaimed", "released"];

/** Formats leases as an aligned text table (what the demo prints). */
export function leaseTable(leases: Iterable<Lease4>, now: number): string {
  const rows = [["address", "hw-address", "client-id", "subnet", "state", "expires in", "hostname"]];
  for (const l of leases) {
    const left = leaseExpire(l) - now;
    rows.push([
      formatIpv4(l.address),
      l.hwaddr || "-",
      l.clientId || "-",
      String(l.subnetId),
      STATE[l.state] ?? String(l.state),
      left > 1e9 ? "never" : left <= 0 ? "expired" : `${left}s`,
      l.hostname || "-",
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** The pid file a running server keeps beside its KV database. */
export function serverPidFile(kvPath: string): string {
  return `${kvPath}.pid`;
}

/** The pid of a live server that owns `kvPath`, if any (a stale pid file left by a crash is ignored). */
export function runningServerPid(kvPath: string): number | undefined {
  let pid: number;
  try {
    pid = Number(Deno.readTextFileSync(serverPidFile(kvPath)).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === Deno.pid) return undefined;
  try {
    Deno.statSync(`/proc/${pid}`);
    return pid;
  } catch {
    return undefined;
  }
}

/** A text progress bar on stderr (only on a terminal), redrawn at most every 100 ms. */
export class ProgressBar {
  private last = 0;
  private readonly tty = Deno.stderr.isTerminal();
  constructor(private readonly label: string, private readonly total: number) {}

  /** Shows `done` of the total; `force` redraws even within 100 ms (the final update). */
  update(done: number, force = false): void {
    if (!this.tty || this.total === 0) return;
    const now = performance.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const width = 30, frac = Math.min(1, done / this.total), full = Math.round(frac * width);
    const bar = "#".repeat(full) + ".".repeat(width - full);
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `\r${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${this.total}`,
      ),
    );
    if (force && done >= this.total) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
  }
}

/** What an import writes to: a lease store of either family (its `apply` takes puts). */
export interface PutStore<L> {
  apply(mutations: { op: "put"; lease: L }[]): Promise<void>;
}

/** Writes leases to the store in chunks of 5000, awaiting each commit; reports progress. */
export async function applyInChunks<L>(store: PutStore<L>, leases: L[], bar?: ProgressBar): Promise<void> {
  const chunk = 5000;
  for (let i = 0; i < leases.length; i += chunk) {
    await store.apply(leases.slice(i, i + chunk).map((lease) => ({ op: "put" as const, lease })));
    bar?.update(Math.min(i + chunk, leases.length), i + chunk >= leases.length);
  }
}

/**
 * The server's start-up import: when the KV store is empty and the config's memfile names a Kea lease file that
 * exists, its leases are loaded — with Kea's LFC files, read in Kea's load order (`NAME.completed` then `NAME`, or
 * else `NAME.2`, `NAME.1`, `NAME`; a later row for an address wins). Returns the number imported (0 when there is
 * no file). Rows Kea would reject are logged and skipped.
 */
export async function importCsvAtStartup<L extends { address: number | bigint }>(
  store: PutStore<L>,
  csvPath: string,
  log: (id: string, text: string) => void,
  parse: (text: string) => { leases: L[]; errors: { line: number; message: string }[] } = parseKeaCsv4 as never,
): Promise<number> {
  const exists = (p: string) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  };
  if (!exists(csvPath)) return 0;
  const files = exists(`${csvPath}.completed`)
    ? [`${csvPath}.completed`, csvPath]
    : [`${csvPath}.2`, `${csvPath}.1`, csvPath].filter(exists);
  const texts = files.map((f) => Deno.readTextFileSync(f));
  const headers = texts.map((t) => t.slice(0, t.indexOf("\n") >>> 0));
  let leases: L[], errors: { line: number; message: string }[];
  if (headers.every((h) => h === headers[0])) {
    // one logical file: rows in load order, so a later deletion (valid_lifetime 0) wins over an earlier row
    ({ leases, errors } = parse([headers[0], ...texts.map((t) => t.slice(headers[0].length + 1))].join("\n")));
  } else {
    const byAddr = new Map<number | bigint, L>();
    errors = [];
    for (const t of texts) {
      const r = parse(t);
      r.leases.forEach((l) => byAddr.set(l.address, l));
      errors.push(...r.errors);
    }
    leases = [...byAddr.values()].sort((a, b) => a.address < b.address ? -1 : a.address > b.address ? 1 : 0);
  }
  for (const e of errors.slice(0, 20)) {
    log("DHCPSRV_MEMFILE_CSV_ROW_SKIPPED", `${csvPath}: row ${e.line}: ${e.message}`);
  }
  if (errors.length && !leases.length) throw new Error(`no lease could be read from ${files.join(", ")}`);
  const started = performance.now();
  await applyInChunks(store, leases);
  log(
    "DHCPSRV_MEMFILE_CSV_IMPORTED",
    `the lease database was empty: imported ${leases.length} lease(s) from the Kea lease file ${files.join(" + ")} ` +
      `in ${Math.round(performance.now() - started)} ms` + (errors.length ? ` (${errors.length} row(s) skipped)` : ""),
  );
  return leases.length;
}

/** A lease map of Kea's lease commands (lease4-get-page) as weka's lease type. */
export function leaseFromJson(j: Record<string, unknown>): Lease4 {
  return {
    address: parseIpv4(String(j["ip-address"])) ?? 0,
    hwaddr: String(j["hw-address"] ?? ""),
    clientId: String(j["client-id"] ?? ""),
    validLifetime: Number(j["valid-lft"] ?? 0),
    cltt: Number(j.cltt ?? 0),
    subnetId: Number(j["subnet-id"] ?? 0),
    fqdnFwd: j["fqdn-fwd"] === true,
    fqdnRev: j["fqdn-rev"] === true,
    hostname: String(j.hostname ?? ""),
    state: Number(j.state ?? 0) as Lease4["state"],
  };
}

/**
 * Every lease of a running server, read page by page with lease4-get-page (Kea's paging: `from` the last address
 * of the previous page). Undefined when the server has no lease commands (result 2); throws when it cannot be
 * reached or answers an error.
 */
export async function leasesOverControl(target: ControlTarget, pageSize = 1000): Promise<Lease4[] | undefined> {
  const out: Lease4[] = [];
  let from = "start";
  for (;;) {
    const a = await target.send("lease4-get-page", { from, limit: pageSize });
    if (a.result === 2) return undefined;
    if (a.result === 3) return out;
    if (a.result !== 0) throw new Error(`lease4-get-page: ${a.text}`);
    const page = (a.arguments?.leases ?? []) as Record<string, unknown>[];
    out.push(...page.map(leaseFromJson));
    if (page.length < pageSize) return out;
    from = String(page[page.length - 1]["ip-address"]);
  }
}

/** Prints leases as the table (or JSON) `weka leases list` shows; `origin` says where they came from. */
function printLeases(leases: Lease4[], json: boolean | undefined, origin: string): void {
  const now = Math.floor(Date.now() / 1000);
  if (json) console.log(JSON.stringify(leases.map((l) => ({ ...l, address: formatIpv4(l.address) }))));
  else console.log(`${leaseTable(leases, now)}\n${leases.length} lease(s) ${origin}`);
}

/**
 * `weka leases list` through the control channel of a running server: the leases, or undefined when no server
 * answers there (no socket, nothing listening, or no lease commands: the caller then reads the store).
 */
async function listRunning(sockets: Parameters<typeof findTarget>[1], json?: boolean): Promise<boolean> {
  const target = findTarget({}, sockets);
  if (!target) return false;
  let leases;
  try {
    leases = await leasesOverControl(target);
  } catch (e) {
    console.error(`weka leases list: the control socket ${target.where} did not answer (${(e as Error).message})`);
    return false;
  }
  if (!leases) {
    console.error(`weka leases list: the server at ${target.where} has no lease commands; reading the database`);
    return false;
  }
  printLeases(leases, json, `held by the server at ${target.where}`);
  return true;
}

/** What `weka leases` was asked: the verb, the configuration, the CSV file, and the family. */
export interface LeasesOptions {
  verb: "list" | "export" | "import";
  configPath: string;
  file?: string;
  json?: boolean;
  /** the DHCPv6 lease database (kea-leases6.csv); also chosen when the file has Dhcp6 and no Dhcp4 */
  v6?: boolean;
}

/** Runs `weka leases …`; returns the exit code. */
export async function runLeases(opts: LeasesOptions): Promise<number> {
  let loaded;
  try {
    loaded = await loadRoleConfigFile(opts.configPath);
  } catch (e) {
    return reportConfigFailure(opts.configPath, e);
  }
  if (opts.v6 || (!loaded.dhcp4 && loaded.dhcp6)) {
    if (!loaded.dhcp6) {
      console.error(`${opts.configPath}: there is no Dhcp6 section, so no DHCPv6 lease database`);
      return 1;
    }
    const { runLeases6 } = await import("./leases6.ts");
    return await runLeases6(opts, loaded.dhcp6.lease.path);
  }
  if (!loaded.dhcp4) {
    console.error(`${opts.configPath}: there is no Dhcp4 section, so no lease database`);
    return 1;
  }
  const path = loaded.dhcp4.lease.path;
  if (opts.verb === "list" && await listRunning(loaded.dhcp4.controlSockets, opts.json)) return 0;
  const owner = opts.verb === "import" ? runningServerPid(path) : undefined;
  if (owner !== undefined) {
    console.error(
      `weka leases import: the server (pid ${owner}) is running on ${path}; stop it first, or add the leases ` +
        `through its control channel (lease4-add / lease4-update)`,
    );
    return 1;
  }
  let store: KvLeaseStore;
  try {
    store = await KvLeaseStore.open(path);
  } catch (e) {
    console.error(`cannot open the lease database ${path}: ${(e as Error).message}`);
    return 1;
  }
  try {
    if (opts.verb === "list") {
      printLeases([...store.all()], opts.json, `in ${path}`);
      return 0;
    }
    if (opts.verb === "export") {
      const started = performance.now();
      const text = formatKeaCsv4([...store.all()]);
      if (opts.file) await Deno.writeTextFile(opts.file, text);
      else await Deno.stdout.write(new TextEncoder().encode(text));
      if (opts.file) {
        console.error(
          `exported ${store.size()} lease(s) to ${opts.file} in ${Math.round(performance.now() - started)} ms`,
        );
      }
      return 0;
    }
    if (!opts.file) {
      console.error("weka leases import: name the Kea CSV file with -i FILE");
      return 2;
    }
    const started = performance.now();
    const { leases, errors } = parseKeaCsv4(await Deno.readTextFile(opts.file));
    for (const e of errors) console.error(`${opts.file}:${e.line}: ${e.message}`);
    await applyInChunks(store, leases, new ProgressBar("importing", leases.length));
    console.error(
      `imported ${leases.length} lease(s) from ${opts.file} into ${path} in ` +
        `${Math.round(performance.now() - started)} ms; ${errors.length} row(s) refused`,
    );
    return errors.length ? 1 : 0;
  } catch (e) {
    console.error(`weka leases ${opts.verb}: ${(e as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
