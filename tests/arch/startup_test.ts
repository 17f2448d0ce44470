/**
 * Role start-up loads only what the role needs (issue 16 item 5, docs/ARCHITECTURE.md "Role start-up"): the
 * modules each entry loads eagerly (static value imports, tests/arch/eager_graph.ts) must not reach the parts
 * that load at the point of need — the @optique command-line parser, HA, the DDNS sender and D2, the HTTP(S)
 * control listeners and TLS, the other role — nor a `node:` built-in or a CommonJS npm package (either loads
 * Deno's Node compatibility layer). And every `import()` in mod/ names its module by a literal relative path to
 * a file that exists, so `deno compile` bundles it.
 */
import assert from "node:assert/strict";
import { chainTo, eagerParents } from "./eager_graph.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

/** What no role start-up may load eagerly: [pattern, why]. */
const NEVER: [RegExp, string][] = [
  [/^@optique\//, "the full command-line parser (mod/cli/argv.ts loads it when argv is not a plain start-up)"],
  [/^jsonc-parser$/, "a CommonJS package (Deno's Node layer); mod/config/jsonc.ts parses the config"],
  [/^mod\/ha\//, "HA (loaded when a libdhcp_ha.so hook is configured)"],
  [/^mod\/cli\/ha_wiring\.ts$/, "HA wiring (loaded when a libdhcp_ha.so hook is configured)"],
  [/^mod\/ddns\/d2\//, "D2 (loaded for DhcpDdns)"],
  [/^mod\/ddns\/ncr\/udp\.ts$/, "the NCR sender's socket (loaded when dhcp-ddns is enabled)"],
  [/^mod\/dhcp4\/ddns_sender\.ts$/, "the NCR sender (loaded when dhcp-ddns is enabled)"],
  [/^mod\/control\/(http_|tls_server|basic_auth)/, "the HTTP(S) control listener (loaded for an http socket)"],
  [/^mod\/net\/dhcp4o6_channel\.ts$/, "the DHCPv4-over-DHCPv6 channel (loaded for dhcp4o6-port)"],
  [
    /^mod\/config\/(load|section\w*)\.ts$/,
    "the full loader or a config section (load_role.ts imports those of the file's maps)",
  ],
  [
    /^mod\/config\/(schema|compile|validate|options)(4|6|_d2|_agent)\.ts$/,
    "a config section's schema, checks or compiler",
  ],
  // setImmediate of the receive loops (mod/dhcp4/server.ts, mod/dhcp6/server6.ts) is the one node: import kept
  [/^node:(?!timers$)/, "a node: built-in (Deno's Node compatibility layer)"],
];

/** Per role, the other roles' modules it must not load, and the NEVER entries it does need (by their reason). */
const ROLES: [string, RegExp[], RegExp?][] = [
  ["main.ts", [/^mod\/cli\/(dhcp4|dhcp6|ddns|run|leases|migrate|shell|status)\.ts$/, /^mod\/config\//]],
  ["mod/cli/dhcp4.ts", [/^mod\/dhcp6\//, /^mod\/cli\/(dhcp6|ddns|run)\.ts$/]],
  ["mod/cli/dhcp6.ts", [/^mod\/dhcp4\/server\.ts$/, /^mod\/cli\/(dhcp4|ddns|run)\.ts$/]],
  // D2 is the role: its transactions, its UDP listener (node:dgram) and TSIG (node:crypto)
  ["mod/cli/ddns.ts", [/^mod\/dhcp4\//, /^mod\/dhcp6\//, /^mod\/lease\/kv_/], /^(D2|the NCR sender's socket|a node:)/],
  // weka run loads each role (and the Control Agent) when the file has its map
  ["mod/cli/run.ts", [/^mod\/cli\/(dhcp4|dhcp6|ddns|agent)\.ts$/, /^mod\/dhcp[46]\//]],
];

for (const [entry, others, needs] of ROLES) {
  Deno.test(`start-up: ${entry} loads eagerly none of what loads at the point of need`, () => {
    const parents = eagerParents(ROOT, entry);
    const bad: string[] = [];
    for (const f of parents.keys()) {
      for (const [re, why] of NEVER) {
        if (re.test(f) && !needs?.test(why)) bad.push(`${chainTo(parents, f)}: ${why}`);
      }
      for (const re of others) if (re.test(f)) bad.push(`${chainTo(parents, f)}: another role's module`);
    }
    assert.deepEqual(bad, []);
  });
}

Deno.test("start-up: the eager graph of `weka dhcp4` is the role's own (a check of the checker)", () => {
  const parents = eagerParents(ROOT, "mod/cli/dhcp4.ts");
  // what the role does need is there, through the chain the role wires
  for (const f of ["mod/dhcp4/server.ts", "mod/lease/kv_store.ts", "mod/control/unix_listener.ts", "valibot"]) {
    assert.ok(parents.has(f), `${f} missing from the eager graph`);
  }
  assert.match(chainTo(parents, "mod/dhcp4/server.ts"), /^mod\/cli\/dhcp4\.ts → mod\/dhcp4\/server\.ts$/);
  // the lazy points are not followed: the HA wiring is named only in an import()
  assert.equal(parents.has("mod/cli/ha_wiring.ts"), false);
});

Deno.test("start-up: every import() in mod/ has a literal relative specifier of an existing file", () => {
  const bad: string[] = [];
  let n = 0;
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) walk(p);
      else if (e.name.endsWith(".ts")) {
        const src = Deno.readTextFileSync(p).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
        for (const m of src.matchAll(/\bimport\s*\(\s*([^)]*?)\s*\)/g)) {
          n++;
          const lit = /^["'](\.{1,2}\/[^"']+\.ts)["']$/.exec(m[1]);
          if (!lit) bad.push(`${p.slice(ROOT.length)}: import(${m[1]}) is not a literal relative .ts path`);
          else {
            try {
              Deno.statSync(new URL(lit[1], `file://${p}`));
            } catch {
              bad.push(`${p.slice(ROOT.length)}: import(${m[1]}) names no file`);
            }
          }
        }
      }
    }
  };
  walk(`${ROOT}mod`);
  assert.ok(n >= 15, `only ${n} import() found: the scan is broken`);
  assert.deepEqual(bad, []);
});
