/**
 * Domain names as text (RFC 1035 §2.3.4, RFC 4034 §6.2): the absolute and canonical forms and the label split with
 * the wire-format limits. Shared by the configuration (D2's zone and key names) and the DNS codec of mod/ddns, which
 * writes the labels on the wire.
 */

import { printable } from "./printable.ts";

const enc = new TextEncoder();

/** True when a label holds a character outside ASCII (its wire length is then its UTF-8 length). */
export function nonAscii(l: string): boolean {
  for (let i = 0; i < l.length; i++) if (l.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** Adds the trailing dot and lower-cases nothing: "host.example.com" → "host.example.com.", "" → ".". */
export function absoluteName(name: string): string {
  if (name === "" || name === ".") return ".";
  return name.endsWith(".") ? name : name + ".";
}

/** Canonical form for comparison and TSIG/DHCID input (RFC 4034 §6.2): absolute and lower-case. */
export function canonicalName(name: string): string {
  return absoluteName(name).toLowerCase();
}

/** Octets of one label in wire form (UTF-8 for non-ASCII text). */
function labelOctets(l: string): number {
  return nonAscii(l) ? enc.encode(l).length : l.length;
}

/**
 * Why `name` cannot be written as a DNS name, or undefined when it can (RFC 1035 §2.3.4: labels of 1..63 octets,
 * at most 255 octets in wire form; "" and "." are the root). Never throws: the packet paths ask this before they
 * build anything from client text, as Kea's `isc::dns::Name` parse does in processHostnameOption. The reason
 * names the offending label cut short and escaped, so it can go into a log line.
 */
export function nameProblem(name: string): string | undefined {
  const abs = absoluteName(name);
  if (abs === ".") return undefined;
  if (abs.length > 1024) return `longer than 255 octets (${abs.length} characters)`;
  let wire = 1;
  let start = 0;
  for (let dot = abs.indexOf("."); dot >= 0; start = dot + 1, dot = abs.indexOf(".", start)) {
    const l = abs.slice(start, dot);
    const n = labelOctets(l);
    if (n === 0) return "empty label";
    if (n > 63) return `label "${printable(l, 24)}" is longer than 63 octets (${n})`;
    wire += n + 1;
  }
  if (wire > 255) return `longer than 255 octets (${wire} in wire form)`;
  return undefined;
}

/**
 * Splits a name into its labels, checking RFC 1035 §2.3.4 limits (labels 1..63 octets, whole name ≤ 255 octets
 * in wire form). Throws an operator-readable Error for a name that cannot be written (its text escaped and cut
 * short: names often come from clients); {@link nameProblem} asks the same without throwing.
 */
export function nameLabels(name: string): string[] {
  const problem = nameProblem(name);
  if (problem) throw new Error(`invalid domain name "${printable(name, 64)}": ${problem}`);
  const abs = absoluteName(name);
  return abs === "." ? [] : abs.slice(0, -1).split(".");
}
