/**
 * The valibot schema of the `DhcpDdns` map (Kea's kea-dhcp-ddns grammar, d2_parser.yy of Kea 2.2, plus the newer
 * `control-sockets`, `secret-file` and per-server `key-name`): strict objects everywhere, so an unknown key is refused
 * with its path and position as Kea refuses it. Kea's cross-field rules (keys, algorithms, secrets, key
 * references, server addresses) live in compile_d2.ts; the defaults in defaults.ts.
 */
import * as v from "valibot";
import { annotations, nonEmptyStr, str, strictMap, uint32 } from "./schema_common.ts";
import { controlSocket } from "./schema_control.ts";
import { hookLibraryList, loggerList } from "./schema_daemon.ts";

const port = v.pipe(uint32, v.maxValue(65535, "must be a port 0..65535"));

const tsigKey = strictMap({
  name: v.pipe(str, v.nonEmpty("a TSIG key needs a name")),
  algorithm: str,
  "digest-bits": v.optional(uint32),
  secret: v.optional(str),
  "secret-file": v.optional(nonEmptyStr),
  ...annotations,
}, "must be a map");

const dnsServer = strictMap({
  hostname: v.optional(str),
  "ip-address": v.optional(str),
  port: v.optional(port),
  "key-name": v.optional(str),
  ...annotations,
}, "must be a map");

const ddnsDomain = strictMap({
  name: v.pipe(str, v.nonEmpty("a DDNS domain needs a name")),
  "key-name": v.optional(str),
  "dns-servers": v.array(dnsServer, "must be a list"),
  ...annotations,
}, "must be a map");

const domainList = strictMap({
  "ddns-domains": v.optional(v.array(ddnsDomain, "must be a list")),
  ...annotations,
}, "must be a map");

/** The `DhcpDdns` map. */
export const DhcpDdnsSchema = strictMap({
  "ip-address": v.optional(str),
  port: v.optional(port),
  "dns-server-timeout": v.optional(v.pipe(uint32, v.minValue(1, "must be at least 1 (milliseconds)"))),
  // Kea's grammar knows UDP and TCP; D2 implements UDP only, and JSON is the only format
  "ncr-protocol": v.optional(
    v.pipe(str, v.check((s) => s.toUpperCase() === "UDP", "only UDP is supported (as in Kea)")),
  ),
  "ncr-format": v.optional(
    v.pipe(str, v.check((s) => s.toUpperCase() === "JSON", "only JSON is supported (as in Kea)")),
  ),
  "control-socket": v.optional(controlSocket),
  "control-sockets": v.optional(v.array(controlSocket, "must be a list")),
  "hooks-libraries": v.optional(hookLibraryList),
  loggers: v.optional(loggerList),
  "tsig-keys": v.optional(v.array(tsigKey, "must be a list")),
  "forward-ddns": v.optional(domainList),
  "reverse-ddns": v.optional(domainList),
  ...annotations,
}, "must be a map");

/** A validated `DhcpDdns` map (keys as Kea spells them, nothing defaulted yet). */
export type DhcpDdnsIn = v.InferOutput<typeof DhcpDdnsSchema>;
/** A validated `tsig-keys` entry. */
export type TsigKeyIn = v.InferOutput<typeof tsigKey>;
/** A validated `dns-servers` entry. */
export type DnsServerIn = v.InferOutput<typeof dnsServer>;
/** A validated `forward-ddns` / `reverse-ddns` map. */
export type DomainListIn = v.InferOutput<typeof domainList>;
