/**
 * Parsers for the self-contained dhcpd.conf declarations: `server-duid` (dhcpd.conf(5), DHCPv6 only),
 * `zone`, `key` (the DDNS declarations, in BIND's syntax), `failover peer` (dhcpd.conf(5) "DHCP FAILOVER"),
 * and the generic statement skipper used for executable statements (if/elsif/else, switch, on, log, set, …),
 * which Kea cannot express and keama comments out.
 */

import type { Node } from "./ast.ts";
import { type Loc, MigrateError, type Token } from "./lexer.ts";
import type { TokenStream } from "./token_stream.ts";

const HW_TYPES: Record<string, number> = { ethernet: 1, "token-ring": 6, fddi: 8, infiniband: 32 };
const HEX_LIST = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2})*$/;

/** Joins tokens back into source-like text (strings re-quoted). */
export function tokensText(toks: Token[]): string {
  let s = "";
  for (const t of toks) {
    const piece = t.kind === "string" ? JSON.stringify(t.text) : t.text;
    if (s !== "" && !(t.kind === "punct" && [";", ",", ")"].includes(t.text)) && !s.endsWith("(")) s += " ";
    s += piece;
  }
  return s;
}

/**
 * Skips one executable statement and returns its text: up to a `;` at nesting depth 0, or through a braced
 * block (and any `elsif`/`else` blocks that follow an `if`). dhcpd parses these fully; Kea has no equivalent,
 * so weka keeps the text for the commented-out output.
 */
export function skipStatement(ts: TokenStream): string {
  const toks: Token[] = [];
  let depth = 0;
  for (;;) {
    const t = ts.next();
    if (t.kind === "eof") throw new MigrateError(t, "unexpected end of file", "end of file");
    toks.push(t);
    if (t.kind !== "punct") continue;
    if (t.text === "(" || t.text === "{") depth++;
    else if (t.text === ")") depth--;
    else if (t.text === "}") {
      depth--;
      if (depth === 0) {
        const n = ts.peek();
        if (n.kind === "word" && (n.text === "elsif" || n.text === "else")) continue;
        if (n.kind === "punct" && n.text === ";") toks.push(ts.next());
        return tokensText(toks);
      }
    } else if (t.text === ";" && depth === 0) return tokensText(toks);
  }
}

/** Parses `server-duid …;` after the keyword (dhcpd parse_server_duid_conf()), with dhcpd's messages. */
export function parseServerDuid(ts: TokenStream, loc: Loc): Node {
  const t = ts.next();
  const kind = t.text.toLowerCase();
  if (t.kind !== "word" || !["llt", "en", "ll"].includes(kind)) {
    throw new MigrateError(t, "DUID type of LLT, EN, or LL expected", t.text);
  }
  if (kind === "en") {
    const n = ts.next();
    if (n.kind !== "word" || !/^\d+$/.test(n.text)) throw new MigrateError(n, "enterprise number expected", n.text);
    const id = ts.next();
    if (id.kind !== "string" && !(id.kind === "word" && HEX_LIST.test(id.text))) {
      throw new MigrateError(id, "identifier expected", id.text);
    }
    const bytes = id.kind === "string"
      ? [...id.text].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("")
      : id.text.split(":").map((h) => h.padStart(2, "0")).join("").toLowerCase();
    ts.expect(";", "semicolon expected.");
    return { k: "duid", type: "EN", enterprise: Number(n.text), identifier: bytes, loc };
  }
  const type = kind === "llt" ? "LLT" : "LL";
  if (ts.peek().text === ";") {
    ts.next();
    return { k: "duid", type, loc };
  }
  const hw = ts.next();
  const htype = HW_TYPES[hw.text] ?? (/^\d+$/.test(hw.text) ? Number(hw.text) : undefined);
  if (htype === undefined) throw new MigrateError(hw, "hardware type expected", hw.text);
  let time: number | undefined;
  if (type === "LLT") {
    const ts0 = ts.next();
    if (!/^\d+$/.test(ts0.text)) throw new MigrateError(ts0, "timestamp expected", ts0.text);
    time = Number(ts0.text);
  }
  const addr = ts.next();
  if (addr.kind !== "word" || !HEX_LIST.test(addr.text)) {
    throw new MigrateError(addr, "expecting hexadecimal number.", addr.text);
  }
  ts.expect(";", "semicolon expected.");
  const identifier = addr.text.split(":").map((h) => h.padStart(2, "0")).join("").toLowerCase();
  return { k: "duid", type, htype, time, identifier, loc };
}

function nameOf(t: Token): string {
  if (t.kind !== "word" && t.kind !== "string") throw new MigrateError(t, "expecting a name", t.text);
  return t.text;
}

function addrList(ts: TokenStream): string[] {
  const out: string[] = [];
  for (;;) {
    const t = ts.next();
    out.push(t.text);
    const s = ts.next();
    if (s.text === ";") return out;
    if (s.text !== ",") throw new MigrateError(s, "expecting ',' or ';'", s.text);
  }
}

/** Parses `zone NAME { primary …; secondary …; primary6 …; secondary6 …; key NAME; }` (dhcpd parse_zone()). */
export function parseZone(ts: TokenStream, loc: Loc): Node {
  let name = nameOf(ts.next());
  if (!name.endsWith(".")) name += ".";
  const z = {
    k: "zone" as const,
    name,
    primary: [] as string[],
    secondary: [] as string[],
    primary6: [] as string[],
    secondary6: [] as string[],
    key: undefined as string | undefined,
    loc,
  };
  ts.expect("{", "expecting left brace");
  for (;;) {
    const t = ts.next();
    if (t.text === "}") break;
    if (t.text === "primary" || t.text === "secondary" || t.text === "primary6" || t.text === "secondary6") {
      z[t.text].push(...addrList(ts));
    } else if (t.text === "key") {
      z.key = nameOf(ts.next());
      ts.expect(";", "semicolon expected.");
    } else throw new MigrateError(t, "expecting primary, secondary or key", t.text);
  }
  if (ts.peek().text === ";") ts.next();
  return z;
}

/** Parses `key NAME { algorithm ALG; secret SECRET; };` (dhcpd parse_key(), BIND syntax). */
export function parseKey(ts: TokenStream, loc: Loc): Node {
  const name = nameOf(ts.next());
  const key: Node & { k: "key" } = { k: "key", name, loc };
  ts.expect("{", "expecting left brace");
  for (;;) {
    const t = ts.next();
    if (t.text === "}") break;
    if (t.text === "algorithm") key.algorithm = nameOf(ts.next());
    else if (t.text === "secret") key.secret = nameOf(ts.next());
    else throw new MigrateError(t, "expecting algorithm or secret", t.text);
    ts.expect(";", "semicolon expected.");
  }
  if (ts.peek().text === ";") ts.next();
  return key;
}

/**
 * Parses `failover peer NAME { … }` into a flat field map (`primary`/`secondary` as `role`, `peer address` as
 * `peer-address`, `load balance max seconds` as `load-balance-max-seconds`); dhcpd.conf(5) "DHCP FAILOVER".
 */
export function parseFailover(ts: TokenStream, loc: Loc): Node {
  ts.expect("peer", 'expecting "peer"');
  const name = nameOf(ts.next());
  if (ts.peek().text === ";") {
    ts.next();
    return { k: "param", name: "failover-ref", args: [{ ...loc, kind: "string", text: name }], loc };
  }
  if (ts.peek().text === "state") {
    return {
      k: "stmt",
      src: `failover peer "${name}" ${skipStatement(ts)}`,
      note: "failover state belongs in the lease file",
      loc,
    };
  }
  const fields: Record<string, string> = {};
  ts.expect("{", "expecting left brace");
  for (;;) {
    const words: string[] = [];
    let t = ts.next();
    if (t.text === "}") break;
    while (t.text !== ";") {
      if (t.kind === "eof") throw new MigrateError(t, "unexpected end of file", "end of file");
      words.push(t.text);
      t = ts.next();
    }
    if (words.length === 1) fields.role = words[0];
    else if (words[0] === "load" && words[1] === "balance") {
      fields["load-balance-max-seconds"] = words[words.length - 1];
    } else fields[words.slice(0, -1).join("-")] = words[words.length - 1];
  }
  if (ts.peek().text === ";") ts.next();
  return { k: "failover", name, fields, loc };
}
