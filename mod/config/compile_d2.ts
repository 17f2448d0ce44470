/**
 * Kea's rules for a schema-valid `DhcpDdns` map (Kea 2.2's d2_config.cc, d2_tsig_key.cc and d2_simple_parser.cc)
 * and its compilation into the immutable {@link D2Config}: the listen address, TSIG keys (known algorithm,
 * `digest-bits` limits, a base64 secret given inline or in a `secret-file`, unique names), forward and reverse
 * domains (valid and unique names, defined key references, servers given by IP address). Every problem names its
 * JSON path. Pure: a `secret-file` is read through the injected reader.
 */
import { parseIpv4 } from "../wire/addr.ts";
import { canonicalName, nameLabels } from "../wire/dns_name.ts";
import { parseIpv6 } from "../wire/ipv6.ts";
import { compileControlSockets, compileLoggers } from "./compile_common.ts";
import { D2_DEFAULTS } from "./defaults.ts";
import { type JsonPath, type Locator, NO_LOCATION, Problems } from "./errors.ts";
import type { D2Config, D2Domain, D2Server } from "./model_d2.ts";
import { checkSchema } from "./schema_issues.ts";
import { type DhcpDdnsIn, DhcpDdnsSchema, type DnsServerIn, type DomainListIn, type TsigKeyIn } from "./schema_d2.ts";
import { findTsigAlgorithm, TSIG_ALGORITHMS, type TsigKey } from "./tsig_algorithms.ts";

/** Reads a file named by the configuration (a `secret-file`); throws when it cannot. */
export type SecretReader = (path: string) => string;

/** An IPv4 or IPv6 address (a zone such as "%eth0" is ignored, as it never reaches DNS). */
function isIp(s: string): boolean {
  return parseIpv4(s) !== undefined || parseIpv6(s.trim().split("%")[0]) !== undefined;
}

/** Strict base64 (RFC 4648 §4, padded), as Kea's decoder wants a secret; undefined when it is not. */
function decodeBase64(s: string): Uint8Array | undefined {
  const t = s.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) return undefined;
  try {
    return Uint8Array.from(atob(t), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** One `tsig-keys` entry (Kea's TSIGKeyInfoParser and D2TsigKey); undefined when refused. */
function compileKey(k: TsigKeyIn, at: JsonPath, p: Problems, readFile: SecretReader): TsigKey | undefined {
  const alg = findTsigAlgorithm(k.algorithm);
  if (!alg) {
    p.add(
      [...at, "algorithm"],
      `unknown TSIG algorithm "${k.algorithm}" (${TSIG_ALGORITHMS.slice(0, -1).map((a) => a.name).join(", ")} or ${
        TSIG_ALGORITHMS.at(-1)!.name
      })`,
    );
    return undefined;
  }
  const bits = k["digest-bits"] ?? D2_DEFAULTS["digest-bits"];
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
  return { name: canonicalName(k.name), algorithm: alg, secret, digestBits: bits };
}

/** One DNS server (Kea's DnsServerInfoParser): an IP address is required, a host name is refused as Kea refuses it. */
function compileServer(
  s: DnsServerIn,
  sp: JsonPath,
  key: (name: string | undefined, at: JsonPath) => TsigKey | undefined,
  domainKey: TsigKey | undefined,
  p: Problems,
): D2Server | undefined {
  if (s.hostname) {
    p.add([...sp, "hostname"], "hostname is not supported (as in Kea): give ip-address");
    return undefined;
  }
  const ip = s["ip-address"];
  if (ip === undefined || !isIp(ip)) {
    p.add(
      ip === undefined ? sp : [...sp, "ip-address"],
      ip === undefined
        ? "a DNS server needs an ip-address"
        : `"${ip}" is not an IP address (D2 sends updates to an address; it does not resolve names, as in Kea)`,
    );
    return undefined;
  }
  const k = s["key-name"] ? key(s["key-name"], [...sp, "key-name"]) : domainKey;
  return { ip, port: s.port ?? D2_DEFAULTS["dns-port"], ...(k ? { key: k } : {}) };
}

/** `forward-ddns` / `reverse-ddns`: the domains with unique, valid names and their servers. */
function compileDomains(
  list: DomainListIn | undefined,
  at: JsonPath,
  keys: Map<string, TsigKey>,
  refusedKeys: Set<string>,
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
    const key = (keyName: string | undefined, kp: JsonPath): TsigKey | undefined => {
      if (!keyName) return undefined;
      const k = keys.get(canonicalName(keyName));
      // a key that is defined but refused has its own problem already
      if (!k && !refusedKeys.has(canonicalName(keyName))) {
        p.add(kp, `TSIG key "${keyName}" is not defined in tsig-keys`);
      }
      return k;
    };
    const domainKey = key(d["key-name"], [...dp, "key-name"]);
    if (d["dns-servers"].length === 0) p.add([...dp, "dns-servers"], `domain "${d.name}" has no dns-servers`);
    const servers: D2Server[] = [];
    d["dns-servers"].forEach((s, j) => {
      const server = compileServer(s, [...dp, "dns-servers", j], key, domainKey, p);
      if (server) servers.push(server);
    });
    out.push({ name, servers });
  });
  return out;
}

/**
 * Checks and compiles a schema-valid `DhcpDdns` map the way kea-dhcp-ddns parses it: a valid listen address, no
 * hook library (D2's hooks are premium ones weka does not have), every TSIG key, every domain. Problems go to
 * `problems` at their path below `base`; undefined when any was found.
 */
export function compileD2(
  d: DhcpDdnsIn,
  base: JsonPath,
  problems: Problems,
  readFile: SecretReader,
): D2Config | undefined {
  const before = problems.list.length;
  const ip = d["ip-address"] ?? D2_DEFAULTS["ip-address"];
  if (!isIp(ip)) problems.add([...base, "ip-address"], `"${ip}" is not an IP address`);
  // Kea's D2 refuses the unspecified addresses: NameChangeRequests must come to one address (d2_cfg_mgr.cc)
  else if (ip === "0.0.0.0" || /^[0:]+$/.test(ip)) {
    problems.add([...base, "ip-address"], `IP address cannot be "${ip === "0.0.0.0" ? ip : "::"}"`);
  }
  (d["hooks-libraries"] ?? []).forEach((h, i) => {
    problems.add(
      [...base, "hooks-libraries", i, "library"],
      `hook library "${h.library}" is not available in weka ddns`,
    );
  });
  const keys = new Map<string, TsigKey>();
  const refusedKeys = new Set<string>();
  (d["tsig-keys"] ?? []).forEach((k, i) => {
    const key = compileKey(k, [...base, "tsig-keys", i], problems, readFile);
    if (!key) return void refusedKeys.add(canonicalName(k.name));
    if (keys.has(key.name)) problems.add([...base, "tsig-keys", i, "name"], `duplicate TSIG key "${k.name}"`);
    keys.set(key.name, key);
  });
  const forward = compileDomains(d["forward-ddns"], [...base, "forward-ddns"], keys, refusedKeys, problems);
  const reverse = compileDomains(d["reverse-ddns"], [...base, "reverse-ddns"], keys, refusedKeys, problems);
  if (problems.list.length !== before) return undefined;
  return Object.freeze({
    ipAddress: ip,
    port: d.port ?? D2_DEFAULTS.port,
    dnsServerTimeout: d["dns-server-timeout"] ?? D2_DEFAULTS["dns-server-timeout"],
    keys,
    forward: Object.freeze(forward),
    reverse: Object.freeze(reverse),
    controlSockets: Object.freeze(compileControlSockets(d["control-socket"], d["control-sockets"])),
    loggers: Object.freeze(compileLoggers(d.loggers)),
    raw: d as Record<string, unknown>,
  });
}

/**
 * Validates and compiles one `DhcpDdns` map on its own (D2's `config-set` / `config-test` arguments, tests): the
 * schema, then {@link compileD2}. Throws a ConfigError listing every problem with its path and position.
 */
export function compileD2Config(
  raw: unknown,
  locate: Locator = NO_LOCATION,
  readFile: SecretReader = () => {
    throw new Error("no file reader");
  },
  base: JsonPath = ["DhcpDdns"],
): D2Config {
  const problems = new Problems(locate);
  const d = checkSchema(DhcpDdnsSchema, raw, base, problems);
  const cfg = d && compileD2(d, base, problems, readFile);
  problems.throwIfAny();
  return cfg!;
}
