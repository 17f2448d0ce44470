/**
 * Network declaration heads of dhcpd.conf: `subnet NET netmask MASK`, `subnet6 PREFIX/LEN`, `range6` and
 * `prefix6` (dhcpd.conf(5)), with dhcpd's messages for malformed masks, lengths and ranges.
 */

import type { Node } from "./ast.ts";
import { type Loc, MigrateError, type Token } from "./lexer.ts";
import type { TokenStream } from "./token_stream.ts";

/** Reads an address word (checked later by whoever knows its family). */
export function address(ts: TokenStream, v6: boolean): Token {
  const t = ts.next();
  if (t.kind !== "word") throw new MigrateError(t, v6 ? "expecting IPv6 address" : "expecting IP address", t.text);
  return t;
}

/** Parses `NET netmask MASK` after `subnet` (dhcpd parse_subnet_declaration()); returns prefix and length. */
export function subnet4Head(ts: TokenStream): { prefix: string; len: number } {
  const net = address(ts, false);
  const nm = ts.peek();
  if (nm.text !== "netmask") throw new MigrateError(nm, "Expecting netmask", nm.text);
  ts.next();
  const mask = address(ts, false);
  const parts = mask.text.split(".").map(Number);
  const m = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
  let len = 0;
  while (len < 32 && (m & (0x80000000 >>> len)) !== 0) len++;
  const ok = parts.length === 4 && parts.every((p) => p >= 0 && p <= 255) &&
    (len === 32 ? m === 0xffffffff : ((m << len) >>> 0) === 0);
  if (!ok) throw new MigrateError(mask, `can't get a prefix from ${net.text} mask ${mask.text}`, mask.text);
  return { prefix: net.text, len };
}

/** Parses `PREFIX/LEN` after `subnet6` (dhcpd parse_subnet6_declaration()). */
export function subnet6Head(ts: TokenStream): { prefix: string; len: number } {
  const t = address(ts, true);
  const slash = t.text.indexOf("/");
  const len = slash < 0 ? NaN : Number(t.text.slice(slash + 1));
  if (slash < 0 || t.text.slice(slash + 1) === "" || !Number.isInteger(len)) {
    throw new MigrateError(
      slash < 0 ? t : ts.peek(),
      "Expecting a number.",
      slash < 0 ? t.text : ts.peek().text,
    );
  }
  if (len <= 0 || len > 128) throw new MigrateError(t, "networks have 0 to 128 bits (exclusive)", t.text);
  return { prefix: t.text.slice(0, slash), len };
}

/** Parses `range6 LOW HIGH | PREFIX/LEN | ADDR temporary` (dhcpd parse_address_range6()). */
export function parseRange6(ts: TokenStream, loc: Loc): Node {
  const lo = address(ts, true);
  if (lo.text.includes("/")) {
    const [a, l] = lo.text.split("/");
    let temporary = false;
    if (ts.peek().text === "temporary") temporary = !!ts.next();
    ts.expect(";", "semicolon expected.");
    return { k: "range6", lo: a, len: Number(l), temporary, loc };
  }
  if (ts.peek().text === "temporary") {
    ts.next();
    ts.expect(";", "semicolon expected.");
    return { k: "range6", lo: lo.text, len: 64, temporary: true, loc };
  }
  const hi = address(ts, true);
  let temporary = false;
  if (ts.peek().text === "temporary") temporary = !!ts.next();
  ts.expect(";", "semicolon expected.");
  return { k: "range6", lo: lo.text, hi: hi.text, temporary, loc };
}

/** Parses `prefix6 LOW HIGH /LEN` (dhcpd parse_prefix6()); refuses lengths outside 1–127. */
export function parsePrefix6(ts: TokenStream, loc: Loc): Node {
  const lo = address(ts, true);
  const hi = address(ts, true);
  let lenTok = ts.next();
  let lenText = lenTok.text;
  if (lenText === "/") {
    lenTok = ts.next();
    lenText = lenTok.text;
  } else if (lenText.startsWith("/")) lenText = lenText.slice(1);
  else throw new MigrateError(lenTok, "expecting '/'", lenTok.text);
  const len = Number(lenText);
  if (!Number.isInteger(len)) throw new MigrateError(lenTok, "Expecting a number.", lenTok.text);
  if (len <= 0 || len >= 128) throw new MigrateError(lenTok, "networks have 0 to 128 bits (exclusive)", lenTok.text);
  ts.expect(";", "semicolon expected.");
  return { k: "prefix6", lo: lo.text, hi: hi.text, len, loc };
}
