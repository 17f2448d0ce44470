/**
 * Kea 2.2's verdict on a configuration of the real-world corpus (tests/fixtures/kea-corpus): `kea-dhcp4 -t`,
 * `kea-dhcp6 -t`, `kea-dhcp-ddns -t` and `kea-ctrl-agent -t` on each map the file holds, run on a copy adapted to
 * this machine and to Kea 2.2's spelling, as an operator moving the file here would adapt it:
 *
 * 1. `interfaces-config.interfaces` becomes `[]` and a subnet's or shared network's `interface` is left out (Kea
 *    2.2's `-t` looks the named interfaces up, and they exist only on the author's machine);
 * 2. a hook library is looked up by its file name in Debian's Kea hook directory (the author's install path differs);
 *    Kea 3's SQL backend hooks (`libdhcp_mysql.so`, `libdhcp_pgsql.so`) are left out (Kea 2.2 has them built in);
 * 3. newer Kea spellings become Kea 2.2's (`control-sockets` → `control-socket`, `output-options` →
 *    `output_options`, `only-in-additional-list` → `only-if-required`, `evaluate-additional-classes` →
 *    `require-client-classes`, a one-class `client-classes` guard → `client-class`, `ddns-conflict-resolution-mode`
 *    → `ddns-use-conflict-resolution`), and keys Kea added after 2.2 with no 2.2 spelling are left out (`allocator`,
 *    `pd-allocator`, `pool-id`, `offer-lifetime`, `allow-address-registration`, `ddns-ttl*`, `stash-agent-options`,
 *    `adaptive-lease-time-threshold`, `extended-info-checks`), and Kea 1.x's top-level `Logging` map becomes the
 *    maps' own `loggers`.
 *
 * A file that is not even Kea JSON is given to Kea as it is. Tests only.
 */
import { existsSync } from "node:fs";
import { parseKeaJson } from "../../mod/config/parse_text.ts";
import { KEA_HOOKS } from "./kea_daemon.ts";

/** The daemon that checks each map. */
export const CHECKERS: Record<string, string> = {
  Dhcp4: "/usr/sbin/kea-dhcp4",
  Dhcp6: "/usr/sbin/kea-dhcp6",
  DhcpDdns: "/usr/sbin/kea-dhcp-ddns",
  "Control-agent": "/usr/sbin/kea-ctrl-agent",
};

const DROP = new Set([
  "allocator",
  "pd-allocator",
  "pool-id",
  "offer-lifetime",
  "allow-address-registration",
  "ddns-ttl",
  "ddns-ttl-min",
  "ddns-ttl-max",
  "ddns-ttl-percent",
  "stash-agent-options",
  "adaptive-lease-time-threshold",
  "extended-info-checks",
]);

const SQL_HOOKS = new Set(["libdhcp_mysql.so", "libdhcp_pgsql.so"]);

/** The lists whose entries take a class guard (Kea 2.2: `client-class`). */
const GUARDED = new Set(["subnet4", "subnet6", "pools", "pd-pools", "shared-networks"]);

type Json = unknown;

function adapt(v: Json, key?: string): Json {
  if (Array.isArray(v)) {
    if (key === "hooks-libraries") {
      return v.flatMap((h) => {
        const lib = String((h as Record<string, unknown>)?.library ?? "");
        const file = lib.slice(lib.lastIndexOf("/") + 1);
        if (SQL_HOOKS.has(file)) return [];
        const local = `${KEA_HOOKS}/${file}`;
        return [{ ...(h as Record<string, unknown>), library: existsSync(local) ? local : lib }];
      });
    }
    return v.map((x) => adapt(x, key)); // an element is adapted as a member of its list (`key`)
  }
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v as Record<string, Json>)) {
    if (DROP.has(k)) continue;
    if (k === "interfaces" && key === "interfaces-config") out.interfaces = [];
    else if (k === "interface" && GUARDED.has(key ?? "")) continue; // the subnet's interface exists only there
    else if (k === "control-sockets" && Array.isArray(x)) {
      const unix = x.find((s) => (s as Record<string, unknown>)?.["socket-type"] === "unix");
      if (unix) out["control-socket"] = adapt(unix);
    } else if (k === "output-options") out.output_options = adapt(x, k);
    else if (k === "only-in-additional-list") out["only-if-required"] = x;
    else if (k === "evaluate-additional-classes") out["require-client-classes"] = x;
    else if (k === "ddns-conflict-resolution-mode") {
      out["ddns-use-conflict-resolution"] = x !== "no-check-with-dhcid" && x !== "no-check-without-dhcid";
    } else if (k === "client-classes" && GUARDED.has(key ?? "") && Array.isArray(x)) {
      if (x.length === 1) out["client-class"] = x[0];
      else if (x.length > 1) out["client-classes"] = x; // Kea 2.2 has no way to say it: left for Kea to refuse
    } else out[k] = adapt(x, k);
  }
  if (key === "interfaces-config" && !("interfaces" in out)) out.interfaces = [];
  return out;
}

/** The file's text as Kea 2.2 on this machine should see it (see the file comment), or the text itself. */
export function adaptForKea22(text: string, name: string): string {
  let value: Json;
  try {
    value = parseKeaJson(text, name, () => {
      throw new Error("includes are not followed");
    }).value;
  } catch {
    return text;
  }
  const doc = value as Record<string, Json>;
  const out: Record<string, Json> = {};
  // Kea 1.x's top-level Logging map: Kea 2.2 wants its loggers inside each daemon's map
  const logging = (doc.Logging as { loggers?: Json[] } | undefined)?.loggers;
  for (const [map, section] of Object.entries(doc)) {
    if (map === "Logging") continue;
    const s = adapt(section, "ROOT") as Record<string, Json>;
    if (logging && typeof s === "object" && s !== null && !("loggers" in s)) s.loggers = adapt(logging, "loggers");
    out[map] = s;
  }
  return JSON.stringify(out, null, 2);
}

/** The maps a text names at its top level (by a quick look, so it works on texts Kea cannot parse). */
export function mapsOf(text: string): string[] {
  return Object.keys(CHECKERS).filter((m) => new RegExp(`"${m}"\\s*:`).test(text));
}

/**
 * Runs each map's Kea 2.2 daemon with `-t` on the adapted copy of `text`: "ok", or the first daemon's last error
 * line. `dir` is a scratch directory (the copy is written there).
 */
export async function keaVerdict(text: string, name: string, dir: string): Promise<string> {
  const file = `${dir}/${name.replace(/[^A-Za-z0-9._-]/g, "_")}`;
  Deno.writeTextFileSync(file, adaptForKea22(text, name));
  for (const map of mapsOf(text)) {
    const r = await new Deno.Command(CHECKERS[map], {
      args: ["-t", file],
      cwd: dir,
      env: { KEA_PIDFILE_DIR: dir, KEA_LOCKFILE_DIR: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!r.success) {
      const lines = new TextDecoder().decode(r.stdout).concat(new TextDecoder().decode(r.stderr)).split("\n");
      const why = lines.filter((l) => /error|fail|unable|invalid|unexpected|cannot/i.test(l)).at(-1) ??
        lines.filter((l) => l.trim()).at(-1) ?? "refused";
      return `${map}: ${why.replace(file, name).replace(/\s+/g, " ").trim()}`;
    }
  }
  return "ok";
}
