/**
 * The client's name for DHCPv6, decided as Kea 2.2 decides it (Dhcpv6Srv::processClientFqdn and generateFqdn;
 * D2ClientMgr::adjustFqdnFlags, adjustDomainName, qualifyName, generateFqdn — the same rules as DHCPv4's option 81,
 * mod/dhcp4/engine/ddns_names.ts, whose family-neutral helpers are used here): the Client FQDN option 39 (RFC 4704)
 * of a SOLICIT, REQUEST, RENEW or REBIND, or a fabricated empty one when the client sent none and
 * `ddns-replace-client-name` is `always` or `when-not-present`; the server's S/N/O flags; the name — a reserved
 * host name, the client's (sanitised, qualified when partial, lower-cased), or empty to be generated from the first
 * IA_NA address (`prefix-2001-db8-1--5.suffix.`) once one is granted. Pure.
 */
import { getOption6, type Message6 } from "../../packet6/packet.ts";
import type { DdnsParams } from "../../config/model.ts";
import { defaultDdnsParams } from "../../config/compile_ddns4.ts";
import { type ClientFqdn6, encodeClientFqdn6, type Fqdn6Flags, parseClientFqdn6 } from "../../options/client_fqdn6.ts";
import { qualifyName, sanitizeName, serverFqdnFlags } from "../../dhcp4/engine/ddns_names.ts";
import { nameProblem } from "../../ddns/dns/name.ts";
import { printable } from "../../wire/printable.ts";
import { formatIpv6Big } from "../../config/addr6.ts";
import type { Exchange6 } from "./exchange6.ts";

/** Option 39's code (RFC 4704 §4). */
export const OPT_CLIENT_FQDN6 = 39;

const FALLBACK = defaultDdnsParams();

/** The `ddns-replace-client-name` modes that supply a name to a client that sent none. */
const REPLACING: ReadonlySet<string> = new Set(["always", "when-not-present"]);

/** What the FQDN rules decided for one query. */
export interface Fqdn6 {
  /** the name for the leases and the reply: absolute ("host.example.com."); "" until generated */
  name: string;
  /** forward (AAAA) and reverse (PTR) updates: the server's S, and not its N (Kea's getUpdateDirections) */
  fwd: boolean;
  rev: boolean;
  /** the server's flags in the reply's option 39 */
  flags: Fqdn6Flags;
  /** the scope's DDNS parameters */
  params: DdnsParams;
  /** why a name the client sent was set aside (debug log lines, client text escaped) */
  notes: { id: string; text: string; debug: true }[];
}

/** The DDNS parameters of the exchange's subnet (else the global ones; Kea's defaults in hand-built models). */
export function ddnsParams6(ex: Pick<Exchange6, "ctx" | "subnet">): DdnsParams {
  return ex.subnet?.ddns ?? ex.ctx.config.ddns ?? FALLBACK;
}

/** Kea's `getEnableUpdates()`: `dhcp-ddns.enable-updates` and the scope's `ddns-send-updates`. */
export function ddnsEnabled6(ex: Pick<Exchange6, "ctx">, p: DdnsParams): boolean {
  return (ex.ctx.config.dhcpDdns?.enableUpdates ?? false) && p.sendUpdates;
}

/**
 * Option 39 of a query: undefined when absent; "invalid" when it carries both N and S (RFC 4704 §4.1; Kea's
 * Option6ClientFqdn refuses it and the packet is dropped); `{ malformed }` when it is empty or its name cannot be
 * a DNS name (a broken wire name, a label over 63 octets, over 255 octets).
 */
export function readClientFqdn6(msg: Message6): ClientFqdn6 | undefined | "invalid" | { malformed: string } {
  const p = getOption6(msg.options, OPT_CLIENT_FQDN6);
  if (!p) return undefined;
  if (p.length >= 1 && (p[0] & 0x05) === 0x05) return "invalid";
  let f: ClientFqdn6;
  try {
    f = parseClientFqdn6(p);
  } catch (e) {
    return { malformed: (e as Error).message };
  }
  const problem = f.name === "" ? undefined : nameProblem(f.name);
  return problem ? { malformed: `"${printable(f.name, 64)}": ${problem}` } : f;
}

/** Kea's `generateFqdn` for IPv6: `prefix-` + the address with ":" as "-", qualified, absolute, lower-case. */
export function generatedName6(address: bigint, p: DdnsParams): string {
  const text = formatIpv6Big(address).replaceAll(":", "-");
  return qualifyName(`${p.generatedPrefix}-${text}`, p.qualifyingSuffix, true).toLowerCase();
}

/**
 * Kea's processClientFqdn for one query (SOLICIT, REQUEST, RENEW, REBIND): undefined when there is nothing to do
 * (no option 39, and no name to supply), "invalid" for an option with N and S both set (the caller drops the
 * query, as Kea does). A malformed option 39 is ignored as if absent and noted (Kea 2.2 drops the whole packet
 * instead: weka answers the client, per docs/ARCHITECTURE.md rule 8), and so is a name that is no DNS name once
 * sanitised and qualified. Client text never raises here.
 */
export function decideFqdn6(ex: Exchange6): Fqdn6 | undefined | "invalid" {
  const p = ddnsParams6(ex);
  const enabled = ddnsEnabled6(ex, p);
  // the common case first, allocating nothing: no option 39 and no name to supply
  if (!getOption6(ex.msg.options, OPT_CLIENT_FQDN6) && !(enabled && REPLACING.has(p.replaceClientName))) {
    return undefined;
  }
  const notes: Fqdn6["notes"] = [];
  const sent = readClientFqdn6(ex.msg);
  if (sent === "invalid") return "invalid";
  let f = sent;
  if (f && "malformed" in f) {
    notes.push(note("DHCP6_CLIENT_FQDN_MALFORMED", ex, `client FQDN option malformed: ${f.malformed}`));
    f = undefined;
  }
  const supply = enabled && REPLACING.has(p.replaceClientName);
  const fabricated: ClientFqdn6 = { flags: { s: true, o: false, n: false }, name: "", partial: true };
  let out = f ? decide(ex, f, p, enabled) : undefined;
  if (out && "malformed" in out) {
    notes.push(note("DHCP6_CLIENT_FQDN_MALFORMED", ex, `client FQDN option malformed: ${out.malformed}`));
    out = undefined;
  }
  if (!out) {
    if (!supply) return undefined;
    out = decide(ex, fabricated, p, enabled) as Fqdn6;
  }
  out.notes.push(...notes);
  return out;
}

function note(id: string, ex: Exchange6, why: string) {
  return { id, text: `${ex.client.label}: ${why}`, debug: true as const };
}

/** adjustFqdnFlags + adjustDomainName (or the reserved host name) for one option 39. */
function decide(ex: Exchange6, f: ClientFqdn6, p: DdnsParams, enabled: boolean): Fqdn6 | { malformed: string } {
  const { s, n } = serverFqdnFlags(f.flags.s, f.flags.n, p, enabled);
  const reserved = ex.host?.res.hostname;
  let name: string;
  if (reserved) name = qualifyName(reserved, p.qualifyingSuffix, true);
  else if (p.replaceClientName === "always" || p.replaceClientName === "when-present" || f.name === "") name = "";
  else {
    const clean = sanitizeName(f.name, p);
    name = clean === "" ? "" : f.partial ? qualifyName(clean, p.qualifyingSuffix, true) : clean + ".";
  }
  name = name.toLowerCase();
  const problem = name === "" ? undefined : nameProblem(name);
  if (problem) return { malformed: `"${printable(name, 64)}" once sanitised and qualified: ${problem}` };
  return { name, fwd: s, rev: !n, flags: { s, n, o: f.flags.s !== s }, params: p, notes: [] };
}

/** The reply's option 39 payload: the server's flags and the name (empty and partial until generated). */
export function fqdnOption6(d: Fqdn6): Uint8Array {
  return encodeClientFqdn6({ flags: d.flags, name: d.name });
}
