/**
 * The command line: reads argv, dispatches to one subcommand module, returns the exit code. Usage errors exit 2,
 * failures exit 1 (docs/ARCHITECTURE.md rule 7). Kea's spellings are accepted where operators type them by habit:
 * `weka -t FILE` (= `weka config-test -c FILE`), `weka -v` / `-V` (= `weka version`). A role start-up in its plain
 * form (`weka dhcp4|dhcp6|ddns|run -c FILE`, `-p PORT` for dhcp4/dhcp6) is read here without the @optique parser;
 * anything else, `--help` included, goes through mod/cli/argv.ts, loaded then (issue 16 item 5: a server loads
 * only what its role needs).
 */
import { VERSION, versionReport } from "./version.ts";
import { setSyslogTransport } from "../log/syslog.ts";
import { openSyslogSocket } from "../net/syslog_socket.ts";

/** A plain role start-up, read without the full parser. */
interface RoleArgs {
  action: "dhcp4" | "dhcp6" | "ddns" | "run";
  config: string;
  port?: string;
}

/**
 * `weka ROLE -c FILE [-p PORT]` exactly as the @optique parser of mod/cli/argv.ts would read it, or undefined for
 * anything else (which that parser then reads, prints help for or refuses): each option at most once, with a value
 * that does not start with `-`, `-p` only for dhcp4/dhcp6.
 */
export function plainRoleArgs(args: readonly string[]): RoleArgs | undefined {
  const action = args[0];
  if (action !== "dhcp4" && action !== "dhcp6" && action !== "ddns" && action !== "run") return undefined;
  const got: { config?: string; port?: string } = {};
  for (let i = 1; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    const key = flag === "-c" || flag === "--config"
      ? "config"
      : (flag === "-p" || flag === "--port") && (action === "dhcp4" || action === "dhcp6")
      ? "port"
      : undefined;
    if (!key || value === undefined || value === "" || value.startsWith("-") || got[key] !== undefined) {
      return undefined;
    }
    got[key] = value;
  }
  return got.config === undefined ? undefined : { action, config: got.config, port: got.port };
}

/** Parses `args` and runs the chosen subcommand; returns the process exit code. */
export async function main(args: string[]): Promise<number> {
  // `syslog` logger outputs write datagrams to the local syslog socket (docs/ARCHITECTURE.md: wiring in cli/)
  setSyslogTransport(openSyslogSocket);
  const plain = plainRoleArgs(args);
  let parsed;
  if (plain) parsed = plain;
  else {
    const { parseArgv } = await import("./argv.ts");
    parsed = parseArgv(args);
    if (typeof parsed === "number") return parsed;
  }
  switch (parsed.action) {
    case "version":
      console.log(parsed.extended ? versionReport() : VERSION);
      return 0;
    case "config-test": {
      const { runConfigTest } = await import("./config_test.ts");
      return await runConfigTest(parsed.config);
    }
    case "dhcp4": {
      const { runDhcp4 } = await import("./dhcp4.ts");
      return await runDhcp4({ configPath: parsed.config, port: parsed.port, all: false });
    }
    case "dhcp6": {
      const { runDhcp6 } = await import("./dhcp6.ts");
      return await runDhcp6({ configPath: parsed.config, port: parsed.port });
    }
    case "run": {
      const { runAll } = await import("./run.ts");
      return await runAll(parsed.config);
    }
    case "ddns": {
      const { runDdns } = await import("./ddns.ts");
      return await runDdns({ configPath: parsed.config });
    }
    case "leases": {
      const { runLeases } = await import("./leases.ts");
      return await runLeases({
        verb: parsed.verb,
        configPath: parsed.config,
        file: parsed.file,
        json: parsed.json,
        v6: parsed.v6,
      });
    }
    case "shell": {
      const { runShell } = await import("./shell.ts");
      return await runShell({ ...parsed, service: [...parsed.service] });
    }
    case "status": {
      const { runStatus } = await import("./status.ts");
      return await runStatus({ ...parsed, configPath: parsed.config });
    }
    case "migrate": {
      const { runMigrate } = await import("./migrate.ts");
      return await runMigrate([...parsed.args]);
    }
  }
}
