/**
 * Turns the value of a dhcpd `option NAME VALUE;` statement into Kea `option-data` "data" text, checked against
 * the option's type as dhcpd's parse_option_token() checks it (and with dhcpd's messages for what it refuses):
 * addresses must be addresses (IPv4 ones may be host names, resolved later), integers numbers, booleans
 * true/false/on/off. Strings keep their text with commas escaped (Kea's CSV data splits on unescaped commas);
 * hex lists become hex with `csv-format: false`, as keama writes them.
 */

import type { OptType } from "./ast.ts";
import { MigrateError, type Token } from "./lexer.ts";
import { hexListBytes, hexOf } from "./parse_expr.ts";

/** The formatted value: data items (joined with ", "), CSV flag, and which items are host names to resolve. */
export interface OptionValue {
  items: string[];
  csv: boolean;
  hostnames: number[];
  /** dhcpd text of the value, kept for the `original-data` note when the data was rewritten */
  original: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

/** Whether `text` is an IPv6 address in any RFC 4291 §2.2 text form. */
export function isIpv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.split("::").length > 2) return false;
  let s = text;
  let groups = 0;
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    if (!IPV4.test(v4[1])) return false;
    s = s.slice(0, v4.index + 1) + "0:0";
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  for (const part of [head, tail]) {
    if (part === undefined || part === "") continue;
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      groups++;
    }
  }
  return tail === undefined ? groups === 8 : groups < 8;
}

/** Whether `text` is a dotted-quad IPv4 address. */
export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

function escapeText(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/,/g, "\\,");
}

function one(t: Token, type: string, out: OptionValue): void {
  switch (type) {
    case "ipv4-address":
      if (t.kind === "word" && isIpv4(t.text)) out.items.push(t.text);
      else if (t.kind === "word" && HOSTNAME.test(t.text) && !/^\d+$/.test(t.text)) {
        out.hostnames.push(out.items.length);
        out.items.push(t.text);
      } else throw new MigrateError(t, `${t.text}: expecting IP address or hostname`, t.text);
      return;
    case "ipv6-address":
      if (t.kind !== "word" || !isIpv6(t.text)) throw new MigrateError(t, "Invalid IPv6 address.", t.text);
      out.items.push(t.text);
      return;
    case "boolean": {
      const v = t.text.toLowerCase();
      if (t.kind !== "word" || !["true", "false", "on", "off"].includes(v)) {
        throw new MigrateError(t, "expecting boolean.", t.text);
      }
      out.items.push(v === "on" || v === "true" ? "true" : "false");
      return;
    }
    case "int8":
    case "int16":
    case "int32":
    case "uint8":
    case "uint16":
    case "uint32": {
      if (t.kind !== "word" || !/^-?\d+$/.test(t.text)) throw new MigrateError(t, "expecting number.", t.text);
      const n = Number(t.text);
      const bits = Number(type.replace(/\D/g, ""));
      const [min, max] = type.startsWith("u") ? [0, 2 ** bits - 1] : [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
      if (n < min || n > max) throw new MigrateError(t, `${t.text} is out of range for ${type}.`, t.text);
      out.items.push(String(n));
      return;
    }
    case "fqdn":
      if (t.kind === "punct") throw new MigrateError(t, "expecting domain name.", t.text);
      out.items.push(t.text);
      return;
    case "binary": {
      const hex = t.kind === "word"
        ? hexListBytes(t.text) ??
          (/^[0-9a-fA-F]{1,2}$/.test(t.text) ? String.fromCharCode(parseInt(t.text, 16)) : undefined)
        : t.text;
      if (hex === undefined) throw new MigrateError(t, "expecting hexadecimal data or a string.", t.text);
      out.items.push(hexOf(hex));
      out.csv = false;
      return;
    }
    default: // string
      if (t.kind === "word" && hexListBytes(t.text) !== undefined) {
        out.items.push(hexOf(hexListBytes(t.text)!));
        out.csv = false;
      } else out.items.push(escapeText(t.text));
  }
}

/**
 * Formats option data tokens for an option of type `def` (dhcpd parse_option_data(); Kea option-data "data").
 * Throws a positioned MigrateError for values dhcpd refuses.
 */
export function formatOptionValue(def: OptType, toks: Token[], at: Token | undefined): OptionValue {
  const out: OptionValue = {
    items: [],
    csv: true,
    hostnames: [],
    original: toks.map((t) => t.kind === "string" ? JSON.stringify(t.text) : t.text).join(" ").replace(/ ,/g, ","),
  };
  const groups: Token[][] = [[]];
  for (const t of toks) {
    if (t.kind === "punct" && t.text === ",") groups.push([]);
    else groups[groups.length - 1].push(t);
  }
  if (def.type === "empty") {
    if (toks.length > 0 && !def.encapsulate) {
      throw new MigrateError(toks[0], "this option takes no value.", toks[0].text);
    }
    return out;
  }
  if (toks.length === 0) {
    if (at) throw new MigrateError(at, "expecting a value for this option.", at.text);
    return out;
  }
  if (def.type === "record") {
    for (const g of groups) {
      const types = def.recordTypes ?? [];
      g.forEach((t, i) => one(t, types[Math.min(i, types.length - 1)] ?? "string", out));
    }
    out.csv = true;
    return out;
  }
  for (const g of groups) {
    if (g.length === 0) throw new MigrateError(at ?? toks[0], "empty value in a list.", ",");
    if (g.length > 1 && def.type !== "string" && def.type !== "binary") {
      throw new MigrateError(g[1], "expecting ',' or ';'.", g[1].text);
    }
    if (g.length > 1) {
      // dhcpd concatenates adjacent hex/string pieces of one value
      for (const t of g) one(t, def.type, out);
      continue;
    }
    one(g[0], def.type, out);
  }
  if (!def.array && groups.length > 1 && def.type !== "string" && def.type !== "binary") {
    // dhcpd accepts lists for scalar options only when declared as arrays; Kea would refuse the data
    throw new MigrateError(toks.find((t) => t.text === ",")!, "this option is not an array.", ",");
  }
  return out;
}
