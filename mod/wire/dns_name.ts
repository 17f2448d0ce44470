/**
 * Domain names as text (RFC 1035 §2.3.4, RFC 4034 §6.2): the absolute and canonical forms and the label split with
 * the wire-format limits. Shared by the configuration (D2's zone and key names) and the DNS codec of mod/ddns, which
 * writes the labels on the wire.
 */

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

/**
 * Splits a name into its labels, checking RFC 1035 §2.3.4 limits (labels 1..63 octets, whole name ≤ 255 octets
 * in wire form). Throws an operator-readable Error for a name that cannot be written.
 */
export function nameLabels(name: string): string[] {
  const abs = absoluteName(name);
  if (abs === ".") return [];
  const labels = abs.slice(0, -1).split(".");
  let wire = 1;
  for (const l of labels) {
    const n = nonAscii(l) ? enc.encode(l).length : l.length;
    if (n === 0) throw new Error(`invalid domain name "${name}": empty label`);
    if (n > 63) throw new Error(`invalid domain name "${name}": label "${l}" is longer than 63 octets`);
    wire += n + 1;
  }
  if (wire > 255) throw new Error(`invalid domain name "${name}": longer than 255 octets`);
  return labels;
}
