/**
 * `weka migrate`: keama's command line (keama.c) on weka's translator.
 * `weka migrate -4|-6 [-i FILE] [-o FILE] [-l HOOKS-DIR] [-D] [-N] [-r perform|fatal|pass] [--d2 FILE] [--report]
 * [--check]` reads stdin and writes stdout when -i/-o are absent; the summary goes to stderr. Exit codes are
 * keama's (keama.c): 255 when the input cannot be parsed (its `file:line:column: message (at 'token')` is the first
 * line of stderr), else the number of untranslated items (at most 254); 2 on a usage error. `--check` runs weka's
 * config-test on the output (and on the D2 output) and reports it in the same summary; an output that does not
 * load exits 253.
 */

import { MigrateError } from "../migrate/lexer.ts";
import { migrate } from "../migrate/migrate.ts";
import { formatReport, summaryLine } from "../migrate/report.ts";
import type { ResolveMode } from "../migrate/context.ts";
import { parseConfigText } from "../config/load.ts";
import { ConfigError } from "../config/errors.ts";

const USAGE = `Usage: weka migrate -4|-6 [-i FILE] [-o FILE] [-l HOOKS-DIR] [-D] [-N] [-r perform|fatal|pass]
                    [--d2 FILE] [--report] [--check]
Translates an ISC dhcpd.conf into a Kea/weka configuration (like ISC's keama).
  -4 | -6        DHCPv4 or DHCPv6 configuration (one is required)
  -i FILE        input (default: standard input)
  -o FILE        output (default: standard output)
  -l DIR         directory of hook libraries (flex_id, ha, lease_cmds)
  -D             write ISC DHCP's default/min/max lifetimes
  -N             put host reservations into the subnet holding their address (default: global)
  -r MODE        host names in fixed-address and address options: perform (resolve), fatal, pass
  --d2 FILE      write the DhcpDdns configuration made from zone/key declarations to FILE
  --report       print a summary of what was translated and what needs attention (stderr)
  --check        run weka's config-test on the output and report it in the summary
Exit code (keama's): 255 when the input cannot be parsed, else the number of untranslated items (commented out
in the output, at most 254); 2 on a usage error; with --check, 253 when the output does not load.
`;

interface Flags {
  v6?: boolean;
  input?: string;
  output?: string;
  hooks?: string;
  defaults: boolean;
  subnetRes: boolean;
  resolve: ResolveMode;
  d2?: string;
  report: boolean;
  check: boolean;
}

function parseFlags(args: string[]): Flags | string {
  const f: Flags = { defaults: false, subnetRes: false, resolve: "perform", report: false, check: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`option ${a} needs a value`);
      return v;
    };
    try {
      if (a === "-4" || a === "-6") {
        if (f.v6 !== undefined) return "give only one of -4 and -6";
        f.v6 = a === "-6";
      } else if (a === "-i") f.input = val();
      else if (a === "-o") f.output = val();
      else if (a === "-l") f.hooks = val();
      else if (a === "-D") f.defaults = true;
      else if (a === "-N") f.subnetRes = true;
      else if (a === "-r") {
        const m = val();
        if (m !== "perform" && m !== "fatal" && m !== "pass") return `-r takes perform, fatal or pass, not '${m}'`;
        f.resolve = m;
      } else if (a === "--d2") f.d2 = val();
      else if (a === "--report") f.report = true;
      else if (a === "--check") f.check = true;
      else return `unknown option '${a}'`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (f.v6 === undefined) return "-4 or -6 is required";
  return f;
}

async function readAll(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const c of Deno.stdin.readable) chunks.push(c);
  return new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
}

/** Resolves a host name to its first IPv4 address with the system resolver, for `-r perform`. */
async function resolveAll(names: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all([...names].map(async (n) => {
    try {
      const r = await Deno.resolveDns(n, "A");
      if (r.length > 0) out.set(n, r[0]);
    } catch { /* unresolvable: the translator comments the item out */ }
  }));
  return out;
}

/**
 * Runs `weka migrate` with its arguments (after the subcommand name) and returns the exit code: the number of
 * untranslated items as keama's, 2 for usage errors, 1 when the input is refused or cannot be read.
 */
export async function runMigrate(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const f = parseFlags(args);
  if (typeof f === "string") {
    console.error(`weka migrate: ${f}\n${USAGE}`);
    return 2;
  }
  const file = f.input ?? "<stdin>";
  let text: string;
  try {
    text = f.input ? await Deno.readTextFile(f.input) : await readAll();
  } catch (e) {
    console.error(`weka migrate: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  const base = f.input ? f.input.replace(/[^/]*$/, "") : "";
  const readFile = (p: string) => Deno.readTextFileSync(p.startsWith("/") ? p : base + p);
  const opts = {
    v6: f.v6!,
    file,
    readFile,
    defaults: f.defaults,
    subnetReservations: f.subnetRes,
    resolve: f.resolve,
    hooksDir: f.hooks,
  };
  let resolved = new Map<string, string>();
  if (f.resolve === "perform") {
    // first pass collects host names (resolution is the only I/O the translation needs), second uses them
    const names = new Set<string>();
    try {
      migrate(text, { ...opts, resolver: (n) => void names.add(n) as undefined });
    } catch { /* reported by the real run below */ }
    if (names.size > 0) resolved = await resolveAll(names);
  }
  let result;
  const started = performance.now();
  try {
    result = migrate(text, {
      ...opts,
      resolver: (n) => resolved.get(n),
      onProgress: (n, line) => console.error(`migrate: ${n} statements read (${file} line ${line})`),
    });
  } catch (e) {
    if (e instanceof MigrateError) {
      console.error(e.message);
      return 255;
    }
    throw e;
  }
  try {
    if (f.output) await Deno.writeTextFile(f.output, result.text);
    else await Deno.stdout.write(new TextEncoder().encode(result.text));
    if (f.d2 && result.d2Text) await Deno.writeTextFile(f.d2, result.d2Text);
  } catch (e) {
    console.error(`weka migrate: cannot write output: ${(e as Error).message}`);
    return 1;
  }
  console.error(`${summaryLine(result)} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
  if (f.d2 && !result.d2Text) console.error("weka migrate: no zone or key declarations: no D2 configuration written");
  if (f.report) console.error(formatReport(result));
  const count = Math.min(result.issues.length, 254);
  if (!f.check) return count;
  const checks = [checkText(result.text, f.output ?? "<output>")];
  if (result.d2Text) checks.push(checkText(result.d2Text, f.d2 ?? "<d2 output>"));
  for (const c of checks) console.error(c.line);
  return checks.every((c) => c.ok) ? count : 253;
}

/** weka's config-test on a translated text, as one summary line (`--check`). */
function checkText(text: string, name: string): { ok: boolean; line: string } {
  try {
    const c = parseConfigText(text, name, () => "");
    const what = c.dhcp4
      ? `Dhcp4: ${c.dhcp4.subnets.length} subnet(s)`
      : c.dhcp6
      ? `Dhcp6: ${c.dhcp6.subnets.length} subnet(s)`
      : c.d2
      ? `DhcpDdns: ${c.d2.forward.length + c.d2.reverse.length} domain(s)`
      : "nothing to serve";
    return { ok: true, line: `check: ${name}: weka config-test: valid (${what})` };
  } catch (e) {
    const msg = e instanceof ConfigError ? e.format() : (e as Error).message;
    return { ok: false, line: `check: ${name}: weka config-test: INVALID\n${msg}` };
  }
}
