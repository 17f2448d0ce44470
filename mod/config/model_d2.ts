/**
 * The compiled, immutable model of a `DhcpDdns` map (Kea's D2: `d2_config.cc`), built by compile_d2.ts and read by
 * the DDNS role (mod/ddns/d2): where it listens for NameChangeRequests, the TSIG keys, and the forward and reverse
 * domains with their DNS servers. A reload builds a new model and swaps it whole.
 */
import type { ControlSocketSpec, LoggerSpec } from "./model.ts";
import type { TsigKey } from "./tsig_algorithms.ts";

/** One DNS server of a domain, with its effective key (the server's `key-name`, else the domain's). */
export interface D2Server {
  /** an IP address: D2 sends to addresses only (Kea refuses `hostname`) */
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
  /** the address and port NameChangeRequests arrive on (UDP, JSON: the only transport and format of Kea) */
  ipAddress: string;
  port: number;
  /** per-attempt DNS timeout in ms (Kea's dns-server-timeout) */
  dnsServerTimeout: number;
  /** TSIG keys by canonical name */
  keys: ReadonlyMap<string, TsigKey>;
  forward: readonly D2Domain[];
  reverse: readonly D2Domain[];
  /** control sockets (`control-socket` and `control-sockets` together, in that order) */
  controlSockets: readonly ControlSocketSpec[];
  /** the `loggers` entries with Kea's defaults applied (empty when none are configured) */
  loggers: readonly LoggerSpec[];
  /** the validated `DhcpDdns` map as written (config-get) */
  raw: Record<string, unknown>;
}
