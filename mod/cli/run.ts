/**
 * `weka run -c FILE`: every role the file names, in one process (the set of Kea daemons). Dhcp4 alone
 * (with or without DhcpDdns) is mod/cli/dhcp4.ts's `weka run`; a Dhcp6 map adds the DHCPv6 role
 * (mod/cli/dhcp6.ts) running side by side, their sockets waited on by one poll(2) (mod/net/poll_group.ts); a
 * DhcpDdns map runs D2 in the process too, and both families hand it their NCRs directly; a `Control-agent`
 * map adds Kea's Control Agent endpoint (mod/cli/agent.ts), which reaches these roles by their service names and
 * other daemons over the unix sockets its `control-sockets` name (a file holding only that map runs the agent
 * alone, in front of Kea or weka daemons elsewhere). One LogTape configuration serves the whole process, so the
 * roles' `loggers` are configured together (a role without loggers gets Kea's default: INFO to stdout).
 * SIGTERM/SIGINT stop every role; when one role ends on its own (a start-up failure, the shutdown command), the
 * others are stopped too and the worst exit code is returned.
 */
import type { LoadedConfig } from "../config/load_core.ts";
import { loadRoleConfigFile } from "../config/load_role.ts";
import type { LoggerSpec } from "../config/model.ts";
import { ServiceDirectory } from "../control/services.ts";
import { closeLogging, defaultLogger, roleLog, setupLogging } from "../log/logger.ts";
import { reportConfigFailure } from "./config_test.ts";
import type { D2Daemon } from "../ddns/d2/daemon.ts";
import { PollGroup } from "../net/poll_group.ts";

/** Every role's loggers (Kea's default for a role that configures none), and the first role's logger name. */
function loggersOf(l: LoadedConfig): { specs: LoggerSpec[]; first: string } {
  const roles: [string, readonly LoggerSpec[]][] = [];
  if (l.dhcp4) roles.push(["kea-dhcp4", l.dhcp4.loggers]);
  if (l.dhcp6) roles.push(["kea-dhcp6", l.dhcp6.loggers]);
  if (l.d2 && !l.dhcp4) roles.push(["kea-dhcp-ddns", l.d2.loggers]);
  if (l.agent) roles.push(["kea-ctrl-agent", l.agent.loggers]);
  return {
    specs: roles.flatMap(([name, specs]) => specs.length ? [...specs] : [defaultLogger(name)]),
    first: roles[0]?.[0] ?? "kea-dhcp4",
  };
}

/** Runs every role of the file until a signal stops them; returns the exit code (0, or 1 when a role failed). */
export async function runAll(configPath: string): Promise<number> {
  let loaded;
  try {
    loaded = await loadRoleConfigFile(configPath);
  } catch (e) {
    return reportConfigFailure(configPath, e);
  }
  const d4 = loaded.dhcp4, d6 = loaded.dhcp6;
  // each role's modules load when the file has its map (issue 16 item 5)
  if (!d6 && !loaded.agent) return await (await import("./dhcp4.ts")).runDhcp4({ configPath, all: true });
  const { specs, first } = loggersOf(loaded);
  await setupLogging(specs, first);
  const logOf = (name: string) => roleLog(name, specs);
  const services = new ServiceDirectory();
  // every role stops when this resolves: on SIGTERM/SIGINT (also one that comes while a role is still starting),
  // or when a role ends by itself (start-up failure, fatal error, the shutdown command). Not through a SIGTERM to
  // the process: Deno takes a signal's default action once no listener is left, so a self-sent signal could end the
  // process with status 143 while it flushes (CI saw it). These listeners stay until main exits with the code
  // returned, so a signal repeated while the roles stop or the logs flush changes nothing.
  const stopAll = Promise.withResolvers<string>();
  for (const sig of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(sig, () => stopAll.resolve(sig));
  Deno.addSignalListener("SIGHUP", () => {}); // each role reloads on its own listener
  const stops: (() => unknown)[] = [];
  let d2Exit = 0;
  // one D2 for the process: DhcpDdns with Dhcp6 (and Dhcp4, which then uses it too; Dhcp4 alone starts its own)
  let d2: D2Daemon | undefined;
  if (d6 && loaded.d2) {
    const { startInProcessD2 } = await import("./ddns_control.ts");
    d2 = await startInProcessD2(
      {
        // with Dhcp4 too, D2 logs as the DHCPv4 role did when it ran D2 itself
        log: logOf(d4 ? "kea-dhcp4" : "kea-dhcp-ddns"),
        configPath,
        onStop: (f) => stops.push(f),
        shutdown: (code) => {
          d2Exit = code;
          stopAll.resolve("shutdown command");
        },
      },
      loaded.d2,
      services,
    );
    if (!d2) {
      await closeLogging();
      return 1;
    }
  }
  const with4 = d4 || (!d6 && loaded.d2);
  const [role4, role6] = await Promise.all([
    with4 ? import("./dhcp4.ts") : undefined,
    d6 ? import("./dhcp6.ts") : undefined,
  ]);
  const roles: Promise<number>[] = [];
  // one readiness wait over the sockets of both families, as Kea's IfaceMgr waits on all of its sockets at once
  const group = d4 && d6 ? new PollGroup() : undefined;
  if (role6) {
    roles.push(role6.runDhcp6({ configPath, log: logOf("kea-dhcp6"), services, group, d2, stop: stopAll.promise }));
  }
  // Dhcp4 (with DhcpDdns in its process), or DhcpDdns alone: runDhcp4 hands that case to weka ddns's runner
  if (role4) {
    roles.push(
      role4.runDhcp4({
        configPath,
        all: true,
        log: logOf(d4 ? "kea-dhcp4" : "kea-dhcp-ddns"),
        services,
        group,
        d2,
        stop: stopAll.promise,
      }),
    );
  }
  const local = [...(d4 ? ["dhcp4"] : []), ...(d6 ? ["dhcp6"] : []), ...(loaded.d2 ? ["d2"] : [])];
  // the agent opens once the roles can answer (or one of them has already ended: the process is stopping)
  if (loaded.agent) await Promise.race([services.ready(local), ...roles]);
  const agent = loaded.agent &&
    await (await import("./agent.ts")).startAgent(loaded.agent, {
      configPath,
      log: logOf("kea-ctrl-agent"),
      services,
      local,
    });
  // the first role to end (a signal ends them all at once) stops the others
  const ended = (code: number) => {
    stopAll.resolve("another role stopped");
    return code;
  };
  // the agent alone serves until a signal (or D2's shutdown command), exit code 0
  const codes = roles.length
    ? await Promise.all(roles.map((r) => r.then(ended)))
    : [await stopAll.promise.then(() => 0)];
  await agent?.stop();
  for (const stop of stops.reverse()) await stop();
  await closeLogging();
  return Math.max(d2Exit, ...codes);
}
