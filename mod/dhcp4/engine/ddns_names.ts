/**
 * The client's name at ACK and OFFER, decided as Kea decides it (Dhcpv4Srv::processClientName,
 * processClientFqdnOption, processHostnameOption and assignLease; D2ClientMgr::analyzeFqdn, adjustFqdnFlags,
 * adjustDomainName, qualifyName, generateFqdn): the Client FQDN option 81 (RFC 4702) wins over Host Name option 12
 * (RFC 2132 §3.14); a reserved host name wins over both; `ddns-replace-client-name` may replace or supply a name
 * generated from the address (`prefix-A-B-C-D.suffix`). Pure.
 */
import { Opt, type Packet4 } from "../../packet4/packet.ts";
import type { DdnsParams } from "../../config/model.ts";
import { type ClientFqdn, encodeClientFqdn, parseClientFqdn } from "../../options/client_fqdn.ts";
import { readText, textPayload } from "./payload.ts";
import { nameProblem } from "../../ddns/dns/name.ts";
import { printable } from "../../wire/printable.ts";

/** What the name rules decided: the lease's host name, its DNS directions, and the options for the reply. */
export interface ClientName {
  /** lease host name: absolute ("host.example.com.") when it came through option 81, "" for none */
  hostname: string;
  fqdnFwd: boolean;
  fqdnRev: boolean;
  /** option 81 and/or 12 payloads to put in the reply */
  options: [number, Uint8Array][];
  /**
   * Why a name the client sent was ignored (Kea's DHCP4_CLIENT_FQDN_MALFORMED, DHCP4_CLIENT_HOSTNAME_MALFORMED) or
   * why no name could be made (DHCP4_CLIENT_NAME_PROC_FAIL): Kea message id and reason, escaped; logged at debug.
   */
  notes?: NameNote[];
}

/** A name the rules had to set aside: Kea's message id and why (client text escaped and cut short). */
export interface NameNote {
  id: "DHCP4_CLIENT_FQDN_MALFORMED" | "DHCP4_CLIENT_HOSTNAME_MALFORMED" | "DHCP4_CLIENT_NAME_PROC_FAIL";
  why: string;
}

/** An option 81 whose name cannot be a DNS name: ignored as if absent (see {@link readClientFqdn}). */
export interface MalformedFqdn {
  malformed: string;
}

/**
 * Reads option 81 from a query: undefined when absent; "invalid" when it carries both N and S (RFC 4702 §2.1 calls
 * that combination invalid; Kea's Option4ClientFqdn refuses it and the packet is dropped); `{ malformed }` when it
 * is shorter than 3 bytes or its name cannot be a DNS name (a broken wire name, a label over 63 octets, an empty
 * label, over 255 octets: RFC 1035 §2.3.4). A malformed option is ignored as if the client had not sent it and
 * the client is still answered (Kea 2.2 drops the whole packet instead: weka answers, per docs/ARCHITECTURE.md rule 8).
 */
export function readClientFqdn(query: Packet4): ClientFqdn | undefined | "invalid" | MalformedFqdn {
  const p = query.options.get(Opt.CLIENT_FQDN);
  if (!p) return undefined;
  if (p.length >= 1 && (p[0] & 0x09) === 0x09) return "invalid";
  let f: ClientFqdn;
  try {
    f = parseClientFqdn(p);
  } catch (e) {
    return { malformed: (e as Error).message };
  }
  const problem = nameProblem(f.name);
  return problem ? { malformed: `"${printable(f.name, 64)}": ${problem}` } : f;
}

/**
 * Kea's `qualifyName`: a name that does not end with "." gets ".suffix" appended when a suffix is configured; then
 * a trailing dot is added (`trailingDot`, option 81) or removed (option 12, which some clients mishandle).
 */
export function qualifyName(name: string, suffix: string, trailingDot: boolean): string {
  let out = name;
  if (suffix && !out.endsWith(".")) out = (out ? out + "." : "") + suffix;
  if (trailingDot && out && !out.endsWith(".")) out += ".";
  if (!trailingDot && out.endsWith(".")) out = out.slice(0, -1);
  return out;
}

/** Kea's `generateFqdn`: `prefix-A-B-C-D` from the leased address, qualified with the suffix. */
export function generatedName(address: number, p: DdnsParams, trailingDot: boolean): string {
  const quad = [address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join("-");
  return qualifyName(`${p.generatedPrefix}-${quad}`, p.qualifyingSuffix, trailingDot);
}

/**
 * Kea's host name sanitiser (`hostname-char-set` / `hostname-char-replacement`), applied label by label so dots
 * survive; NUL is always removed. Empty labels are dropped (Kea tokenises on "."). Returns the labels joined by ".".
 */
export function sanitizeName(name: string, p: DdnsParams): string {
  const re = p.hostnameCharSet ? charSet(p.hostnameCharSet) : undefined;
  return name.split(".").filter((l) => l !== "").map((l) => {
    const clean = l.replaceAll("\0", "");
    return re ? clean.replace(re, p.hostnameCharReplacement) : clean;
  }).filter((l) => l !== "").join(".");
}

const CHAR_SETS = new Map<string, RegExp>();

/** The compiled `hostname-char-set` (validated by the config compiler), cached per pattern. */
function charSet(pattern: string): RegExp {
  let re = CHAR_SETS.get(pattern);
  if (!re) {
    re = new RegExp(pattern, "g");
    if (CHAR_SETS.size < 64) CHAR_SETS.set(pattern, re);
  }
  return re;
}

/** Kea's `OptionDataTypeUtil::getLabelCount`: labels of the name plus the root label; 0 for "". */
export function labelCount(name: string): number {
  if (name === "") return 0;
  return name.split(".").filter((l) => l !== "").length + 1;
}

/**
 * The server's S and N flags for the client's (Kea's `analyzeFqdn`, RFC 4702 §3.2–3.4): client N=0,S=0 → the
 * server does forward only when it overrides client updates (else reverse only); S=1 → the server updates when
 * updates are enabled; N=1 → no updates unless `ddns-override-no-update`. With updates off N is always 1.
 */
export function serverFqdnFlags(clientS: boolean, clientN: boolean, p: DdnsParams, enabled: boolean) {
  if (!clientN && !clientS) return enabled ? { s: p.overrideClientUpdate, n: false } : { s: false, n: true };
  if (clientS) return { s: enabled, n: !enabled };
  const s = enabled && p.overrideNoUpdate;
  return { s, n: !s };
}

/**
 * Decides the name of a client that is being given `address` (OFFER or ACK). Option 81: the reply carries the
 * server's flags (S/N per {@link serverFqdnFlags}, O when S differs from the client's, E copied) and the final
 * name, always absolute, in the client's encoding; forward update = S, reverse = not N. Option 12 (or none): the
 * name is trimmed, sanitised, lower-cased and, when it is a single label, qualified without a trailing dot; both
 * directions are updated when updates are enabled. `ddns-replace-client-name` `always`/`when-present` replace a
 * sent name and `always`/`when-not-present` supply one to a client that sent none; an empty or replaced name is
 * generated from the address. A reserved host name wins (qualified) and is returned even if the client sent none.
 *
 * Client text never raises here: a name that is not a DNS name as sent (Kea's processHostnameOption parses it
 * with `isc::dns::Name` and logs DHCP4_CLIENT_HOSTNAME_MALFORMED), or that is not one once sanitised and
 * qualified, is ignored as if the client had sent none (so a `when-not-present` mode still generates one), and
 * the reason is returned in `notes`. A name that cannot be made at all (a reserved or generated name over the
 * limits) leaves the client without a name (DHCP4_CLIENT_NAME_PROC_FAIL).
 */
export function resolveClientName(
  query: Packet4,
  address: number,
  p: DdnsParams,
  enabled: boolean,
  reservedHostname: string | undefined,
): ClientName {
  const notes: NameNote[] = [];
  const fqdn = readClientFqdn(query);
  if (fqdn && fqdn !== "invalid") {
    const r = "malformed" in fqdn ? fqdn : fromFqdn(fqdn, address, p, enabled, reservedHostname);
    if (!("malformed" in r)) return r;
    notes.push({ id: "DHCP4_CLIENT_FQDN_MALFORMED", why: `client FQDN option malformed: ${r.malformed}` });
  }
  const out = fromHostname(query, address, p, enabled, reservedHostname, notes);
  if (notes.length) out.notes = notes;
  return out;
}

/** The option 12 rules of {@link resolveClientName} (also used when option 81 was ignored). */
function fromHostname(
  query: Packet4,
  address: number,
  p: DdnsParams,
  enabled: boolean,
  reservedHostname: string | undefined,
  notes: NameNote[],
): ClientName {
  const none: ClientName = { hostname: "", fqdnFwd: false, fqdnRev: false, options: [] };
  const both = (hostname: string): ClientName => {
    const problem = nameProblem(hostname);
    if (problem) {
      notes.push({
        id: "DHCP4_CLIENT_NAME_PROC_FAIL",
        why: `no name for the client: "${printable(hostname, 64)}": ${problem}`,
      });
      return none;
    }
    return {
      hostname,
      fqdnFwd: enabled && hostname !== "",
      fqdnRev: enabled && hostname !== "",
      options: hostname ? [[Opt.HOST_NAME, textPayload(hostname)]] : [],
    };
  };
  if (reservedHostname) return both(qualifyName(reservedHostname, p.qualifyingSuffix, false).toLowerCase());
  const mode = p.replaceClientName;
  const generate = () => both(generatedName(address, p, false).toLowerCase());
  const asIfNone = () => (mode === "always" || mode === "when-not-present" ? generate() : none);
  const sent = query.options.get(Opt.HOST_NAME);
  if (!sent) return asIfNone();
  const text = readText(sent).trim();
  const problem = nameProblem(text);
  if (problem) {
    notes.push(hostnameNote(text, problem));
    return asIfNone();
  }
  const labels = labelCount(text);
  const clean = labels >= 2 ? sanitizeName(text, p).toLowerCase() : "";
  if (mode === "always" || mode === "when-present" || clean === "") return generate();
  const name = labels === 2 ? qualifyName(clean, p.qualifyingSuffix, false) : clean;
  const after = nameProblem(name);
  if (after) {
    notes.push(hostnameNote(name, `once sanitised and qualified, ${after}`));
    return asIfNone();
  }
  return both(name);
}

function hostnameNote(name: string, problem: string): NameNote {
  return {
    id: "DHCP4_CLIENT_HOSTNAME_MALFORMED",
    why: `client hostname option malformed: "${printable(name, 64)}": ${problem}`,
  };
}

/** Option 81's rules; `{ malformed }` when the client's name is no DNS name once sanitised and qualified. */
function fromFqdn(
  f: ClientFqdn,
  address: number,
  p: DdnsParams,
  enabled: boolean,
  reservedHostname: string | undefined,
): ClientName | MalformedFqdn {
  const { s, n } = serverFqdnFlags(f.flags.s, f.flags.n, p, enabled);
  let name: string;
  if (reservedHostname) name = qualifyName(reservedHostname, p.qualifyingSuffix, true);
  else if (p.replaceClientName === "always" || p.replaceClientName === "when-present" || f.name === "") name = "";
  else {
    const clean = sanitizeName(f.name, p);
    name = clean === "" ? "" : f.partial ? qualifyName(clean, p.qualifyingSuffix, true) : clean + ".";
  }
  if (name === "") name = generatedName(address, p, true);
  name = name.toLowerCase();
  const problem = nameProblem(name);
  if (problem) return { malformed: `"${printable(name, 64)}" once sanitised and qualified: ${problem}` };
  const payload = encodeClientFqdn({
    flags: { s, n, o: f.flags.s !== s, e: f.flags.e },
    rcode1: f.rcode1,
    rcode2: f.rcode2,
    name,
  });
  return { hostname: name, fqdnFwd: s, fqdnRev: !n, options: [[Opt.CLIENT_FQDN, payload]] };
}

/** The debug log entries of a name decision's notes, each with the client's label (Kea logs them at debug). */
export function nameLog(label: string, name: ClientName): { id: string; text: string; debug: true }[] {
  return (name.notes ?? []).map((n) => ({ id: n.id, text: `${label}: ${n.why}`, debug: true as const }));
}
