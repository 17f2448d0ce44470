/**
 * `weka config-test -c FILE` (Kea's `kea-dhcp4 -t FILE`): loads, validates and compiles the configuration without
 * touching the network or the lease database. Exit 0 when it is valid (warnings printed), 1 with one line per
 * problem (`file:line:col: JSON.path: message`) otherwise.
 */
import { loadConfigFile } from "../config/load.ts";
import { ConfigError, formatProblem } from "../config/errors.ts";

/** Runs the check and returns the exit code. */
export async function runConfigTest(path: string): Promise<number> {
  try {
    const loaded = await loadConfigFile(path);
    for (const w of loaded.warnings) console.error(`warning: ${formatProblem(w)}`);
    const d = loaded.dhcp4;
    const summary = d
      ? `Dhcp4: ${d.subnets.length} subnet(s), ${d.subnets.reduce((n, s) => n + s.pools.length, 0)} pool(s), ` +
        `${d.subnets.reduce((n, s) => n + s.reservations.size, 0)} reservation(s), interfaces: ` +
        `${d.interfaces.length ? d.interfaces.map((i) => i.name).join(", ") : "none (nothing will be served)"}`
      : "no Dhcp4 section";
    console.log(`${path}: configuration is valid; ${summary}${loaded.ddns ? "; DhcpDdns present" : ""}`);
    return 0;
  } catch (e) {
    return reportConfigFailure(path, e);
  }
}

/** Prints a configuration failure for the operator and returns exit code 1. */
export function reportConfigFailure(path: string, e: unknown): number {
  if (e instanceof ConfigError) {
    console.error(e.format());
    console.error(
      `${path}: configuration is invalid (${e.problems.length} problem${e.problems.length === 1 ? "" : "s"})`,
    );
  } else if (e instanceof Deno.errors.NotFound) {
    console.error(`${path}: cannot read the configuration file: no such file`);
  } else {
    console.error(`${path}: cannot load the configuration: ${(e as Error).message}`);
  }
  return 1;
}
