/**
 * The full command line of weka as an @optique parser: every subcommand with its options, `--help` and shell
 * completion. mod/cli/main.ts loads this module only when argv is not one of the plain role start-ups it reads itself
 * (`weka dhcp4 -c FILE`…), so a server does not pay @optique's modules at start-up (issue 16 item 5).
 */
import {
  argument,
  command,
  constant,
  integer,
  message,
  multiple,
  object,
  option,
  optional,
  or,
  passThrough,
  string,
} from "@optique/core";
import { run } from "@optique/run";

const configOpt = option("-c", "--config", string({ metavar: "FILE" }), {
  description: message`The configuration file (Kea's JSON dialect: comments and <?include?> allowed).`,
});

const parser = or(
  command(
    "dhcp4",
    object({
      action: constant("dhcp4"),
      config: configOpt,
      port: optional(option("-p", "--port", string({ metavar: "PORT" }), {
        description:
          message`Server UDP port (default 67); with a non-default port weka serves on loopback only (tests).`,
      })),
    }),
    {
      brief: message`Run the DHCPv4 server.`,
      description: message`Run the DHCPv4 server on the interfaces named in Dhcp4.interfaces-config. Needs root, or
CAP_NET_BIND_SERVICE and CAP_NET_RAW. SIGHUP reloads the configuration, SIGTERM and SIGINT stop after the last lease
commit is flushed.`,
    },
  ),
  command(
    "dhcp6",
    object({
      action: constant("dhcp6"),
      config: configOpt,
      port: optional(option("-p", "--port", string({ metavar: "PORT" }), {
        description:
          message`Server UDP port (default 547); with a non-default port weka serves relayed traffic on [::1] only (tests).`,
      })),
    }),
    {
      brief: message`Run the DHCPv6 server.`,
      description: message`Run the DHCPv6 server (IA_NA, IA_PD) on the interfaces named in Dhcp6.interfaces-config:
ff02::1:2 on each, plus each interface's global addresses for relayed and unicast traffic. Needs root, or
CAP_NET_BIND_SERVICE. The server DUID is kept in kea-dhcp6-serverid next to the lease file. SIGHUP reloads the
configuration, SIGTERM and SIGINT stop after the last lease commit is flushed.`,
    },
  ),
  command(
    "run",
    object({ action: constant("run"), config: configOpt }),
    { brief: message`Run every role whose section the config file has (Dhcp4, Dhcp6, DhcpDdns).` },
  ),
  command(
    "ddns",
    object({ action: constant("ddns"), config: configOpt }),
    { brief: message`Run the DHCP-DDNS daemon (DhcpDdns): NameChangeRequests in, TSIG-signed DNS UPDATEs out.` },
  ),
  command(
    "config-test",
    object({
      action: constant("config-test"),
      config: or(configOpt, option("-t", string({ metavar: "FILE" }), { description: message`Kea's spelling of -c.` })),
    }),
    {
      brief: message`Check a configuration file and exit 0 (valid) or 1 (each problem printed with file:line:column).`,
    },
  ),
  command(
    "migrate",
    object({ action: constant("migrate"), args: passThrough({ format: "greedy" }) }),
    {
      brief: message`Translate an ISC dhcpd.conf into a Kea/weka configuration (keama-compatible).`,
      description: message`weka migrate -4|-6 [-i FILE] [-o FILE] [-l HOOKS-DIR] [-D] [-N] [-r perform|fatal|pass]
[--report]. Run "weka migrate --help" for the details.`,
    },
  ),
  command(
    "leases",
    object({
      action: constant("leases"),
      verb: or(
        command("list", constant("list" as const), { brief: message`Print the lease table.` }),
        command("export", constant("export" as const), {
          brief: message`Write the leases as Kea's kea-leases4.csv (kea-leases6.csv with -6).`,
        }),
        command("import", constant("import" as const), {
          brief: message`Load a Kea kea-leases4.csv or kea-leases6.csv (server stopped).`,
        }),
      ),
      config: configOpt,
      file: optional(option("-i", "-o", "--file", string({ metavar: "CSV" }), {
        description: message`The CSV file to import from or export to (export: standard output when absent).`,
      })),
      json: optional(option("--json", { description: message`list: print JSON instead of a table.` })),
      v6: optional(option("-6", "--dhcp6", {
        description: message`The Dhcp6 lease database (chosen anyway when the file has Dhcp6 and no Dhcp4).`,
      })),
    }),
    { brief: message`List, export or import the leases of the database a configuration names.` },
  ),
  command(
    "shell",
    object({
      action: constant("shell"),
      host: optional(option("--host", string({ metavar: "HOST" }), {
        description: message`Address of the HTTP control socket (default 127.0.0.1).`,
      })),
      port: optional(option("--port", integer({ metavar: "PORT", min: 1, max: 65535 }), {
        description: message`Port of the HTTP control socket (default 8000).`,
      })),
      path: optional(option("--path", string({ metavar: "PATH" }), { description: message`URL path (default /).` })),
      socket: optional(option("--socket", string({ metavar: "FILE" }), {
        description: message`Talk to this unix control socket instead of HTTP.`,
      })),
      authUser: optional(option("--auth-user", string({ metavar: "USER" }), {
        description: message`Basic authentication user.`,
      })),
      authPassword: optional(option("--auth-password", string({ metavar: "PASSWORD" }), {
        description: message`Basic authentication password.`,
      })),
      service: multiple(option("--service", string({ metavar: "SERVICE" }), {
        description: message`Target service (Kea's "dhcp4"); may be given once.`,
      })),
      ca: optional(option("--ca", string({ metavar: "FILE" }), {
        description: message`Use HTTPS, checking the server certificate against this CA (PEM).`,
      })),
      cert: optional(option("--cert", string({ metavar: "FILE" }), {
        description: message`HTTPS client certificate (PEM), for sockets that require one (cert-required).`,
      })),
      key: optional(option("--key", string({ metavar: "FILE" }), {
        description: message`Private key of --cert (PEM).`,
      })),
      timeout: optional(option("--timeout", integer({ metavar: "SECONDS", min: 1 }), {
        description: message`Seconds to wait for the answer (default 10).`,
      })),
      command: optional(argument(string({ metavar: "COMMAND" }), {
        description: message`The command (default list-commands); its arguments are read from standard input.`,
      })),
    }),
    {
      brief: message`Send one control command (kea-shell compatible) and print the JSON answer.`,
      description: message`Examples: echo '"name": "pkt4-received"' | weka shell --port 8000 statistic-get;
weka shell --socket /run/weka/kea4-ctrl-socket config-get`,
    },
  ),
  command(
    "status",
    object({
      action: constant("status"),
      config: optional(configOpt),
      socket: optional(option("--socket", string({ metavar: "FILE" }), {
        description: message`Ask this unix control socket (default: the config's control-socket).`,
      })),
      host: optional(option("--host", string({ metavar: "HOST" }), {
        description: message`Ask the HTTP control socket at this address (default 127.0.0.1).`,
      })),
      port: optional(option("--port", integer({ metavar: "PORT", min: 1, max: 65535 }), {
        description: message`Port of the HTTP control socket (default 8000).`,
      })),
      authUser: optional(option("--auth-user", string({ metavar: "USER" }), {
        description: message`Basic authentication user.`,
      })),
      authPassword: optional(option("--auth-password", string({ metavar: "PASSWORD" }), {
        description: message`Basic authentication password.`,
      })),
      json: optional(option("--json", { description: message`Print the summary as JSON.` })),
    }),
    {
      brief:
        message`Show a running server's state: pools, HA, packets, DDNS, recent warnings (the status page's summary).`,
    },
  ),
  command(
    "version",
    object({
      action: constant("version"),
      extended: optional(option("--extended", { description: message`Build details.` })),
    }),
    { brief: message`Print the version.` },
  ),
);

/** Rewrites Kea-habit spellings into subcommands before parsing. */
function normalize(args: string[]): string[] {
  if (args[0] === "-t" && args.length >= 2) return ["config-test", "-c", ...args.slice(1)];
  if (args[0] === "-v") return ["version"];
  if (args[0] === "-V") return ["version", "--extended"];
  return args;
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** What the parser returns: the chosen subcommand and its options (`action` names it). */
export type Parsed = ReturnType<typeof parseArgv>;

/**
 * Parses `args` (Kea-habit spellings rewritten first); prints help, version-less usage errors and completions
 * itself and then returns the exit code instead of a parse (usage errors: 2, docs/ARCHITECTURE.md rule 7).
 */
export function parseArgv(args: string[]) {
  try {
    return run(parser, {
      programName: "weka",
      args: normalize(args),
      help: "both",
      completion: "both",
      errorExitCode: 2,
      brief:
        message`weka: a Kea-compatible DHCP appliance (DHCPv4 and DHCPv6 servers, DDNS, migration from ISC dhcpd).`,
      footer:
        message`Examples: weka dhcp4 -c /etc/weka/weka.json; weka config-test -c /etc/weka/weka.json; weka migrate -4 -i dhcpd.conf -o weka.json`,
      onExit: (code: number): never => {
        throw new Exit(code);
      },
    });
  } catch (e) {
    if (e instanceof Exit) return e.code;
    throw e;
  }
}
