/**
 * `weka leases list|export|import -6 -c FILE`: the DHCPv6 lease database a configuration names, read (or, for
 * import, written) directly, in Kea's kea-leases6.csv format (mod/lease/kea_csv6.ts), the DHCPv6 twin of
 * mod/cli/leases.ts. `import` refuses while the server that owns the database runs (its pid file), as for DHCPv4.
 */
import { formatAddress6, KvLease6Store } from "../lease/kv_store6.ts";
import { formatKeaCsv6, parseKeaCsv6 } from "../lease/kea_csv6.ts";
import { INFINITE_LIFETIME } from "../lease/types.ts";
import { type Lease6, Lease6Type } from "../lease/types6.ts";
import { applyInChunks, type LeasesOptions, ProgressBar, runningServerPid } from "./leases.ts";

const STATE = ["default", "declined", "expired-reclaimed", "released"];
const TYPE = { [Lease6Type.NA]: "IA_NA", [Lease6Type.TA]: "IA_TA", [Lease6Type.PD]: "IA_PD" };

/** Formats DHCPv6 leases as an aligned text table. */
export function leaseTable6(leases: Iterable<Lease6>, now: number): string {
  const rows = [["address", "type", "duid", "iaid", "subnet", "state", "expires in", "hostname"]];
  for (const l of leases) {
    const left = l.validLifetime === INFINITE_LIFETIME ? Infinity : l.cltt + l.validLifetime - now;
    rows.push([
      l.type === Lease6Type.PD ? `${formatAddress6(l.address)}/${l.prefixLen}` : formatAddress6(l.address),
      TYPE[l.type] ?? String(l.type),
      l.duid,
      String(l.iaid),
      String(l.subnetId),
      STATE[l.state] ?? String(l.state),
      left === Infinity ? "never" : left <= 0 ? "expired" : `${left}s`,
      l.hostname || "-",
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

/** Runs `weka leases … -6` on the DHCPv6 database at `path`; returns the exit code. */
export async function runLeases6(opts: LeasesOptions, path: string): Promise<number> {
  const owner = opts.verb === "import" ? runningServerPid(path) : undefined;
  if (owner !== undefined) {
    console.error(
      `weka leases import: the server (pid ${owner}) is running on ${path}; stop it first, or add the leases ` +
        `through its control channel (lease6-add / lease6-update)`,
    );
    return 1;
  }
  let store: KvLease6Store;
  try {
    store = await KvLease6Store.open(path);
  } catch (e) {
    console.error(`cannot open the lease database ${path}: ${(e as Error).message}`);
    return 1;
  }
  try {
    if (opts.verb === "list") {
      if (opts.json) {
        console.log(JSON.stringify([...store.all()].map((l) => ({ ...l, address: formatAddress6(l.address) }))));
      } else {
        console.log(`${leaseTable6(store.all(), Math.floor(Date.now() / 1000))}\n${store.size()} lease(s) in ${path}`);
      }
      return 0;
    }
    if (opts.verb === "export") {
      const started = performance.now();
      const text = formatKeaCsv6([...store.all()]);
      if (opts.file) {
        await Deno.writeTextFile(opts.file, text);
        console.error(
          `exported ${store.size()} lease(s) to ${opts.file} in ${Math.round(performance.now() - started)} ms`,
        );
      } else await Deno.stdout.write(new TextEncoder().encode(text));
      return 0;
    }
    if (!opts.file) {
      console.error("weka leases import: name the Kea CSV file with -i FILE");
      return 2;
    }
    const started = performance.now();
    const { leases, errors } = parseKeaCsv6(await Deno.readTextFile(opts.file));
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
