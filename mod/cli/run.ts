/**
 * `weka run -c FILE`: every role the file names, in one process (the set of Kea daemons). Dhcp4 alone
 * (with or without DhcpDdns) is mod/cli/dhcp4.ts's `weka run`; a Dhcp6 map adds the DHCPv6 role
 * (mod/cli/dhcp6.ts) running side by side, their sockets waited on by one poll(2) (mod/net/poll_group.ts); a
 * DhcpDdns map runs D2 in the process too, and both families hand it their NCRs directly. One
 * LogTape configuration serves the whole process, so the roles' `loggers` are configured together (a role without
 * loggers gets Kea's default: INFO to stdout). SIGTERM/SIGINT stop every role; when one role ends on its own (a
 * start-up failure, the shutdown command), the others are stopped too and the worst exit code is returned.
 */
import { loadConfigFile } from "../config/load.ts";
import type { LoggerSpec } from "../config/model.ts";
import { closeLogging, roleLog, setupLogging } from "../log/logger.ts";
import { reportConfigFailure } from "./config_test.ts";
import { runDhcp4 } from "./dhcp4.ts";
import { runDhcp6 } from "./dhcp6.ts";
import { startD2 } from "../ddns/d2/daemon.ts";
import { PollGroup } from "../net/poll_group.ts";

/** Kea's default logger of a daemon that configures none. */
function defaultLogger(name: string): LoggerSpec {
  return { name, severity: "INFO", debuglevel: 0, outputs: [{ output: "stdout", flush: true, maxsize: 0, maxver: 1 }] };
}

/** Runs every role of the file until a signal stops them; returns the exit code (0, or 1 when a role failed). */
export async function runAll(configPath: string): Promise<number> {
  let loaded;
  try {
    loaded = await loadConfigFile(configPath);
  } catch (e) {
    return reportConfigFailure(configPath, e);
  }
  const d4 = loaded.dhcp4, d6 = loaded.dhcp6;
  if (!d6) return await runDhcp4({ configPath, all: true });
  const specs: LoggerSpec[] = [
    ...(d4 ? (d4.loggers.length ? d4.loggers : [defaultLogger("kea-dhcp4")]) : []),
    ...(d6.loggers.length ? d6.loggers : [defaultLogger("kea-dhcp6")]),
  ];
  const log6 = await setupLogging(specs, "kea-dhcp6");
  const log4 = d4 ? roleLog("kea-dhcp4", specs) : undefined;
  // while one role is still stopping after the others, a SIGTERM must not take the default action (exit at once)
  const keepAlive = () => {};
  Deno.addSignalListener("SIGTERM", keepAlive);
  let d2;
  if (loaded.d2) {
    try {
      d2 = await startD2(loaded.d2, log6);
    } catch (e) {
      console.error(`weka run: ${(e as Error).message}`);
      Deno.removeSignalListener("SIGTERM", keepAlive);
      await closeLogging();
      return 1;
    }
  }
  let live = d4 ? 2 : 1;
  const ended = (code: number) => {
    live--;
    // one role ended by itself: stop the others (their SIGTERM handlers)
    if (live > 0) Deno.kill(Deno.pid, "SIGTERM");
    return code;
  };
  // one readiness wait over the sockets of both families, as Kea's IfaceMgr waits on all of its sockets at once
  const group = d4 ? new PollGroup() : undefined;
  const roles = [runDhcp6({ configPath, log: log6, group, d2 }).then(ended)];
  if (d4) roles.push(runDhcp4({ configPath, all: true, log: log4, group, d2 }).then(ended));
  const codes = await Promise.all(roles);
  await d2?.stop("normal");
  Deno.removeSignalListener("SIGTERM", keepAlive);
  await closeLogging();
  return Math.max(...codes);
}
