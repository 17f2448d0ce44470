/**
 * The `DhcpDdns` map (Kea's D2, `src/lib/d2srv/d2_config.cc` and `d2_simple_parser.cc`): strict valibot schema,
 * Kea's defaults and checks, compiled into an immutable {@link D2Config}. Pure: a `secret-file` is read through an
 * injected reader, and every problem names its JSON path (positions come from the caller's locator).
 */
import * as v from "valibot";
import type { LoggerSpec } from "../../config/model.ts";
import { type JsonPath, type Locator, NO_LOCATION, Problems } from "../../config/errors.ts";
import { controlSocket } from "../../config/schema_control.ts";
import { parseIpv4 } from "../../wire/addr.ts";
import { parseIpv6 } from "../dns/ipv6.ts";
import { canonicalName, nameLabels } from "../dns/name.ts";
import { findTsigAlgorithm, type TsigKey } from "../dns/tsig.ts";

const extra = { comment: v.optional(v.string()), "user-context": v.optional(v.record(v.string(), v.unknown())) };
const port = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535));

const KeySchema = v.strictObject({
  name: v.pipe(v.string(), v.nonEmpty("a TSIG key needs a name")),
  algorithm: v.string(),
  "digest-bits": v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  secret: v.optional(v.string()),
  "secret-file": v.optional(v.string()),
  ...extra,
});
const ServerSchema = v.strictObject({
  hostname: v.optional(v.string()),
  "ip-address": v.optional(v.string()),
  port: v.optional(port),
  "key-name": v.optional(v.string()),
  ...extra,
});
const DomainSchema = v.strictObject({
  name: v.pipe(v.string(), v.nonEmpty("a DDNS domain needs a name")),
  "key-name": v.optional(v.string()),
  "dns-servers": v.array(ServerSchema),
  ...extra,
});
const DomainListSchema = v.strictObject({ "ddns-domains": v.optional(v.array(DomainSchema)), ...extra });
const OutputSchema = v.strictObject({
  output: v.string(),
  flush: v.optional(v.boolean()),
  maxsize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  maxver: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  pattern: v.optional(v.string()),
  ...extra,
});
const LoggerSchema = v.strictObject({
  name: v.string(),
  severity: v.optional(v.picklist(["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "NONE"])),
  debuglevel: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(99))),
  "output-options": v.optional(v.array(OutputSchema)),
  output_options: v.optional(v.array(OutputSchema)),
  ...extra,
});

/** The schema of the `DhcpDdns` map; unknown keys are refused as Kea refuses them. */
export const DhcpDdnsSchema = v.strictObject({
  "ip-address": v.optional(v.string()),
  port: v.optional(port),
  "dns-server-timeout": v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  "ncr-protocol": v.optional(v.string()),
  "ncr-format": v.optional(v.string()),
  "control-socket": v.optional(controlSocket),
  "control-sockets": v.optional(v.array(controlSocket)),
  "hooks-libraries": v.optional(v.array(v.looseObject({ library: v.string() }))),
  loggers: v.optional(v.array(LoggerSchema)),
  "tsig-keys": v.optional(v.array(KeySchema)),
  "forward-ddns": v.optional(DomainListSchema),
  "reverse-ddns": v.optional(DomainListSchema),
  ...extra,
});

/** One DNS server of a domain, with its effective key (the server's `key-name`, else the domain's). */
export interface D2Server {
  ip: string;
  port: number;
  key?: TsigKey;
}

/** One forward or reverse DDNS domain: the zone an update goes to and its servers, tried in order. */
export interface D2Domain {
  /** canonical zone name, or "*" for the wildcard domain */
  name: string;
  servers: D2Server[];
}

/** The compiled D2 configuration (immutable; a reload swaps it whole). */
export interface D2Config {
  ipAddress: string;
  port: number;
  /** per-attempt DNS timeout in ms (Kea's dns-server-timeout, default 500) */
  dnsServerTimeout: number;
  keys: ReadonlyMap<string, TsigKey>;
  forward: readonly D2Domain[];
  reverse: readonly D2Domain[];
  controlSockets: readonly Record<string, unknown>[];
  loggers: readonly LoggerSpec[];
  /** the validated `DhcpDdns` map as written (config-get) */
  raw: Record<string, unknown>;
}

/** Kea's D2 defaults (d2_simple_parser.cc). */
export const D2_DEFAULTS = { ipAddress: "127.0.0.1", port: 53001, dnsServerTimeout: 500, dnsPort: 53 } as const;

function decodeBase64(s: string): Uint8Array | undefined {
  const t = s.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

function compileKey(k: v.InferOutput<typeof KeySchema>, at: JsonPath, p: Problems, readFile: (f: string) => string) {
  const alg = findTsigAlgorithm(k.algorithm);
  if (!alg) {
    p.add(
      [...at, "algorithm"],
      `unknown TSIG algorithm "${k.algorithm}" (HMAC-MD5, HMAC-SHA1, HMAC-SHA224, HMAC-SHA256, HMAC-SHA384 or HMAC-SHA512)`,
    );
    return undefined;
  }
  const bits = k["digest-bits"] ?? 0;
  if (bits !== 0 && (bits % 8 !== 0 || bits < 80 || bits < alg.size * 4 || bits > alg.size * 8)) {
    p.add(
      [...at, "digest-bits"],
      `digest-bits ${bits} for ${alg.name}: must be 0 or a multiple of 8 from ${Math.max(80, alg.size * 4)} to ${
        alg.size * 8
      }`,
    );
  }
  let text = k.secret;
  if (k.secret !== undefined && k["secret-file"] !== undefined) {
    p.add([...at, "secret-file"], "give either secret or secret-file, not both");
  } else if (k["secret-file"] !== undefined) {
    try {
      text = readFile(k["secret-file"]).trim();
    } catch (e) {
      p.add([...at, "secret-file"], `cannot read secret-file "${k["secret-file"]}": ${(e as Error).message}`);
      return undefined;
    }
  }
  if (text === undefined) {
    p.add(at, `TSIG key "${k.name}" has neither secret nor secret-file`);
    return undefined;
  }
  const secret = decodeBase64(text);
  if (!secret || secret.length === 0) {
    p.add(
      [...at, k.secret !== undefined ? "secret" : "secret-file"],
      `TSIG key "${k.name}": the secret is not valid base64`,
    );
    return undefined;
  }
  return { name: canonicalName(k.name), algorithm: alg, secret, digestBits: bits } satisfies TsigKey;
}

function compileDomains(
  list: v.InferOutput<typeof DomainListSchema> | undefined,
  at: JsonPath,
  keys: Map<string, TsigKey>,
  p: Problems,
): D2Domain[] {
  const out: D2Domain[] = [];
  const seen = new Set<string>();
  (list?.["ddns-domains"] ?? []).forEach((d, i) => {
    const dp = [...at, "ddns-domains", i];
    const name = d.name === "*" ? "*" : canonicalName(d.name);
    if (name !== "*") {
      try {
        nameLabels(name);
      } catch (e) {
        p.add([...dp, "name"], (e as Error).message);
      }
    }
    if (seen.has(name)) p.add([...dp, "name"], `duplicate domain "${d.name}"`);
    seen.add(name);
    const lookup = (keyName: string | undefined, kp: JsonPath): TsigKey | undefined => {
      if (!keyName) return undefined;
      const k = keys.get(canonicalName(keyName));
      if (!k) p.add(kp, `TSIG key "${keyName}" is not defined in tsig-keys`);
      return k;
    };
    const domainKey = lookup(d["key-name"], [...dp, "key-name"]);
    if (d["dns-servers"].length === 0) p.add([...dp, "dns-servers"], `domain "${d.name}" has no dns-servers`);
    const servers: D2Server[] = [];
    d["dns-servers"].forEach((s, j) => {
      const sp = [...dp, "dns-servers", j];
      if (s.hostname) {
        p.add([...sp, "hostname"], "hostname is not supported (as in Kea): give ip-address");
        return;
      }
      const ip = s["ip-address"];
      if (ip === undefined || (parseIpv4(ip) === undefined && parseIpv6(ip) === undefined)) {
        p.add(
          [...sp, "ip-address"],
          ip === undefined ? "a DNS server needs an ip-address" : `"${ip}" is not an IP address`,
        );
        return;
      }
      const key = s["key-name"] ? lookup(s["key-name"], [...sp, "key-name"]) : domainKey;
      servers.push({ ip, port: s.port ?? D2_DEFAULTS.dnsPort, ...(key ? { key } : {}) });
    });
    out.push({ name, servers });
  });
  return out;
}

/**
 * Validates and compiles a `DhcpDdns` map the way kea-dhcp-ddns parses it: schema first (unknown keys refused),
 * then Kea's rules (known algorithm, digest-bits limits, base64 secret, key references, ip-address servers,
 * UDP/JSON only, a valid listen address). Throws a ConfigError listing every problem with its path and position.
 */
export function compileD2Config(
  raw: unknown,
  locate: Locator = NO_LOCATION,
  readFile: (f: string) => string = () => {
    throw new Error("no file reader");
  },
  base: JsonPath = ["DhcpDdns"],
): D2Config {
  const p = new Problems(locate);
  const r = v.safeParse(DhcpDdnsSchema, raw);
  if (!r.success) {
    for (const issue of r.issues) {
      const path = [...base, ...(issue.path ?? []).map((x) => x.key as string | number)];
      const unknown = issue.expected === "never" && issue.path?.length;
      p.add(path, unknown ? "unknown parameter (not a DhcpDdns key)" : issue.message, Boolean(unknown));
    }
    p.throwIfAny();
  }
  const d = r.output as v.InferOutput<typeof DhcpDdnsSchema>;
  const ip = d["ip-address"] ?? D2_DEFAULTS.ipAddress;
  if (parseIpv4(ip) === undefined && parseIpv6(ip) === undefined) {
    p.add([...base, "ip-address"], `"${ip}" is not an IP address`);
  }
  if ((d["ncr-protocol"] ?? "UDP").toUpperCase() !== "UDP") {
    p.add([...base, "ncr-protocol"], "only UDP is supported (as in Kea)");
  }
  if ((d["ncr-format"] ?? "JSON").toUpperCase() !== "JSON") {
    p.add([...base, "ncr-format"], "only JSON is supported (as in Kea)");
  }
  for (const [i, h] of (d["hooks-libraries"] ?? []).entries()) {
    p.add([...base, "hooks-libraries", i, "library"], `hook library "${h.library}" is not available in weka ddns`);
  }
  const keys = new Map<string, TsigKey>();
  (d["tsig-keys"] ?? []).forEach((k, i) => {
    const key = compileKey(k, [...base, "tsig-keys", i], p, readFile);
    if (!key) return;
    if (keys.has(key.name)) p.add([...base, "tsig-keys", i, "name"], `duplicate TSIG key "${k.name}"`);
    keys.set(key.name, key);
  });
  const forward = compileDomains(d["forward-ddns"], [...base, "forward-ddns"], keys, p);
  const reverse = compileDomains(d["reverse-ddns"], [...base, "reverse-ddns"], keys, p);
  p.throwIfAny();
  const sockets = d["control-sockets"] ?? (d["control-socket"] ? [d["control-socket"]] : []);
  return Object.freeze({
    ipAddress: ip,
    port: d.port ?? D2_DEFAULTS.port,
    dnsServerTimeout: d["dns-server-timeout"] ?? D2_DEFAULTS.dnsServerTimeout,
    keys,
    forward: Object.freeze(forward),
    reverse: Object.freeze(reverse),
    controlSockets: sockets,
    raw: raw as Record<string, unknown>,
    loggers: (d.loggers ?? []).map((l): LoggerSpec => ({
      name: l.name,
      severity: l.severity ?? "INFO",
      debuglevel: l.debuglevel ?? 0,
      outputs: (l["output-options"] ?? l.output_options ?? [{ output: "stdout" }]).map((o) => ({
        output: o.output,
        flush: o.flush ?? true,
        maxsize: o.maxsize ?? 10240000,
        maxver: o.maxver ?? 1,
        ...(o.pattern !== undefined ? { pattern: o.pattern } : {}),
      })),
    })),
  });
}
