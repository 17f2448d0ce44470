/**
 * `weka leases list|export|import -c FILE`: the lease database named by a configuration, read (or, for import,
 * written) directly. `list` and `export` only read, so they work beside a running server; `import` writes, so it
 * needs the server stopped (Deno KV has one writer: a running server makes it fail with "database is locked").
 * Export and import use Kea's kea-leases4.csv format, so a Kea site can bring its leases along.
 */
import { loadConfigFile } from "../config/load.ts";
import { reportConfigFailure } from "./config_test.ts";
import { KvLeaseStore } from "../lease/kv_store.ts";
import { formatKeaCsv4, parseKeaCsv4 } from "../lease/kea_csv.ts";
import { type Lease4, leaseExpire } from "../lease/types.ts";
import { formatIpv4 } from "../wire/addr.ts";

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

export interface LeasesOptions {
  verb: "list" | "export" | "import";
  configPath: string;
  file?: string;
  json?: boolean;
}

/** Runs `weka leases …`; returns the exit code. */
export async function runLeases(opts: LeasesOptions): Promise<number> {
  let loaded;
  try {
    loaded = await loadConfigFile(opts.configPath);
  } catch (e) {
    return reportConfigFailure(opts.configPath, e);
  }
  if (!loaded.dhcp4) {
    console.error(`${opts.configPath}: there is no Dhcp4 section, so no lease database`);
    return 1;
  }
  const path = loaded.dhcp4.lease.path;
  let store: KvLeaseStore;
  try {
    store = await KvLeaseStore.open(path);
  } catch (e) {
    console.error(`cannot open the lease database ${path}: ${(e as Error).message}`);
    return 1;
  }
  try {
    const now = Math.floor(Date.now() / 1000);
    if (opts.verb === "list") {
      if (opts.json) {
        console.log(JSON.stringify([...store.all()].map((l) => ({ ...l, address: formatIpv4(l.address) }))));
      } else console.log(`${leaseTable(store.all(), now)}\n${store.size()} lease(s) in ${path}`);
      return 0;
    }
    if (opts.verb === "export") {
      const text = formatKeaCsv4([...store.all()]);
      if (opts.file) await Deno.writeTextFile(opts.file, text);
      else await Deno.stdout.write(new TextEncoder().encode(text));
      if (opts.file) console.error(`exported ${store.size()} lease(s) to ${opts.file}`);
      return 0;
    }
    if (!opts.file) {
      console.error("weka leases import: name the Kea CSV file with -i FILE");
      return 2;
    }
    const { leases, errors } = parseKeaCsv4(await Deno.readTextFile(opts.file));
    for (const e of errors) console.error(`${opts.file}:${e.line}: ${e.message}`);
    const chunk = 5000;
    for (let i = 0; i < leases.length; i += chunk) {
      await store.apply(leases.slice(i, i + chunk).map((lease) => ({ op: "put" as const, lease })));
      Deno.stderr.writeSync(
        new TextEncoder().encode(`\rimported ${Math.min(i + chunk, leases.length)}/${leases.length}`),
      );
    }
    console.error(
      `\nimported ${leases.length} lease(s) from ${opts.file} into ${path}; ${errors.length} row(s) refused`,
    );
    return errors.length ? 1 : 0;
  } catch (e) {
    console.error(`weka leases ${opts.verb}: ${(e as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
