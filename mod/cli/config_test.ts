/**
 * `weka config-test -c FILE` (Kea's `kea-dhcp4 -t FILE` / `kea-dhcp6 -t FILE` / `kea-dhcp-ddns -t FILE`): loads,
 * validates and compiles every map of the configuration (Dhcp4, Dhcp6, DhcpDdns, and Control-agent's schema) in
 * one run, without touching the network or the lease database. Exit 0 when it is valid (warnings printed), 1
 * with one line per problem (`file:line:col: JSON.path: message`) otherwise.
 */
import { loadRoleConfigFile } from "../config/load_role.ts";
import { ConfigError, formatProblem } from "../config/errors.ts";

/** Runs the check and returns the exit code. */
export async function runConfigTest(path: string): Promise<number> {
  try {
    const loaded = await loadRoleConfigFile(path);
    for (const w of loaded.warnings) console.error(`warning: ${formatProblem(w)}`);
    for (const n of loaded.notices) console.error(`info: ${formatProblem(n)}`);
    const d = loaded.dhcp4;
    const summary = d
      ? `Dhcp4: ${d.subnets.length} subnet(s), ${d.subnets.reduce((n, s) => n + s.pools.length, 0)} pool(s), ` +
        `${
          d.subnets.reduce((n, s) => n + s.reservations.size, d.globalReservations?.size ?? 0)
        } reservation(s), interfaces: ` +
        `${d.interfaces.length ? d.interfaces.map((i) => i.name).join(", ") : "none (nothing will be served)"}`
      : loaded.dhcp6 || loaded.d2
      ? ""
      : "no Dhcp4 section";
    const d6 = loaded.dhcp6;
    const summary6 = d6
      ? `${summary ? "; " : ""}Dhcp6: ${d6.subnets.length} subnet(s), ${
        d6.subnets.reduce((n, s) => n + s.pools.length, 0)
      } pool(s), ` +
        `${d6.subnets.reduce((n, s) => n + s.pdPools.length, 0)} pd-pool(s), ` +
        `${d6.subnets.reduce((n, s) => n + s.reservations.size, d6.globalReservations.size)} reservation(s), ` +
        `interfaces: ${d6.interfaces.length ? d6.interfaces.map((i) => i.name).join(", ") : "none"}`
      : "";
    const ha = d?.ha;
    const haText = ha
      ? `; HA: ${ha.thisServerName} (${ha.peers.find((p) => p.name === ha.thisServerName)?.role}) in ${ha.mode} with ` +
        ha.peers.filter((p) => p.name !== ha.thisServerName).map((p) => `${p.name} (${p.role}) at ${p.url}`).join(", ")
      : "";
    const d2 = loaded.d2;
    const summaryD2 = d2
      ? `${summary || summary6 ? "; " : ""}DhcpDdns: ${d2.keys.size} TSIG key(s), ${d2.forward.length} forward and ` +
        `${d2.reverse.length} reverse domain(s), NCRs on ${d2.ipAddress}:${d2.port}`
      : "";
    console.log(`${path}: configuration is valid; ${summary}${haText}${summary6}${summaryD2}`);
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
