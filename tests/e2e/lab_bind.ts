/**
 * A real BIND 9 in the lab's `dns` host for the DDNS end-to-end tests: the zones and TSIG keys of
 * tests/ddns/bind_harness.ts (lab.test, 18.198.in-addr.arpa, a.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa) served on
 * 198.18.0.53:53, and a `dig +short` against it. Tests only.
 */
import assert from "node:assert/strict";
import type { Lab } from "./lab.ts";
import { until } from "./weka_proc.ts";
import { BIND_KEYS, BIND_ZONES } from "../ddns/bind_harness.ts";

/** BIND's address in the lab (the dns host on LAN A). */
export const LAB_DNS = "198.18.0.53";
const DNS = LAB_DNS;

/** Writes named.conf and the zones of the BIND harness for a server listening on DNS:53 inside the dns host. */
export async function bindFiles(dir: string): Promise<string> {
  let conf = `options { directory "${dir}"; listen-on port 53 { ${DNS}; }; listen-on-v6 { none; };
  pid-file "${dir}/named.pid"; recursion no; dnssec-validation no; allow-query { any; }; notify no; };\ncontrols { };\n`;
  for (const [name, [alg, secret]] of Object.entries(BIND_KEYS)) {
    conf += `key "${name}" { algorithm ${alg}; secret "${secret}"; };\n`;
  }
  const keys = Object.keys(BIND_KEYS).map((k) => `key "${k}";`).join(" ");
  for (const z of BIND_ZONES) {
    conf += `zone "${z}" { type primary; file "${dir}/${z}.zone"; allow-update { ${keys} }; };\n`;
    await Deno.writeTextFile(
      `${dir}/${z}.zone`,
      `$TTL 300\n@ IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 300\n@ IN NS ns.lab.test.\n` +
        (z === "lab.test" ? `ns IN A ${DNS}\n` : ""),
    );
  }
  await Deno.writeTextFile(`${dir}/named.conf`, conf);
  return `${dir}/named.conf`;
}

/** Starts BIND in the dns host and returns a `dig +short` against it once it answers. */
export async function labBind(lab: Lab, dir: string) {
  const named = lab.spawn("dns", ["named", "-g", "-c", await bindFiles(dir), "-n", "1"]);
  const dig = async (name: string, type: string) => {
    const r = await lab.run("dns", ["dig", "+short", "+time=1", "+tries=1", `@${DNS}`, name, type]);
    return r.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  };
  assert.ok(await until(async () => (await dig("lab.test", "SOA")).length > 0, 10_000), named.output);
  return dig;
}
