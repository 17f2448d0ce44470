/**
 * keama's `%` directives (keama confparse.c parse_directive(); a keama extension, dhcpd has none). They change
 * what the translator knows about an option or an option space before the configuration uses it, and are
 * allowed at top level only:
 *
 *   % option space NAME  check | alias KEA-NAME | dynamic | ISC KEA ;
 *   % option [SPACE.]NAME  check | alias KEA-NAME | code N = "FORMAT" | dynamic | ISC KEA | local | define ;
 *
 * ISC and KEA are each `known` or `unknown` and say whether ISC DHCP, then Kea, knows the option (keama's
 * option status): `known known` (a standard option), `known unknown` (ISC DHCP only: its data is commented
 * out), `unknown known` (Kea only: dhcpd.conf can no longer name it), `dynamic` (defined by the configuration);
 * `unknown unknown` is refused ("illicit combination: … is known by nobody"). Keywords are case-insensitive,
 * as in keama's lexer. Two keama bugs are not copied: keama never reads the word after `unknown` (so it refuses
 * `unknown known` too) and its space variant swaps the two words; weka reads them as written (ISC, then Kea).
 */

import type { Node, OptType } from "./ast.ts";
import { type Loc, MigrateError, type Token } from "./lexer.ts";
import type { OptionInfo, OptionRegistry, OptionStatus } from "./option_registry.ts";
import type { TokenStream } from "./token_stream.ts";

/** Spaces whose options keama refuses to change ("attempt to modify config"): vendor wrappers and config. */
const SPECIAL = new Set(["vendor", "vsio", "server"]);

/** keama display_status(): "ISC (Kea)". */
const DISPLAY: Record<OptionStatus, string> = {
  "known": "known (known)",
  "kea-unknown": "known (unknown)",
  "isc-unknown": "unknown (known)",
  "dynamic": "dynamic (dynamic)",
};

function kw(t: Token): string {
  return t.kind === "word" ? t.text.toLowerCase() : "";
}

/** Reads `known|unknown known|unknown` or `dynamic` (first word already read) and the `;`. */
function statusWords(ts: TokenStream, first: Token, what: string, space: boolean): OptionStatus {
  let status: OptionStatus;
  if (kw(first) === "dynamic") status = "dynamic";
  else if (kw(first) === "known" || kw(first) === "unknown") {
    const second = ts.next();
    const isc = kw(first) === "known", kea = kw(second);
    if (kea !== "known" && kea !== "unknown") {
      throw new MigrateError(second, "expected KNOWN or UNKNOWN", second.text);
    }
    if (!isc && kea === "unknown") {
      throw new MigrateError(second, `illicit combination: ${what} is known by nobody`, second.text);
    }
    status = isc ? (kea === "known" ? "known" : "kea-unknown") : "isc-unknown";
  } else if (space) throw new MigrateError(first, "expected KNOWN or UNKNOWN or DYNAMIC", first.text);
  else throw new MigrateError(first, `unknown option directive ${first.text}`, first.text);
  ts.expect(";", "semicolon expected.");
  return status;
}

/**
 * Converts an ISC DHCP option format string (common/tables.c: `I` address, `L` uint32, `t` text, `a` array of
 * the preceding, …) to a Kea definition as keama convert_format() does: several types make a record, `Y`, `A`,
 * `o`, a leading `X` or `u` make it binary; an encapsulation (`E`) or an unknown letter is refused.
 */
export function convertFormat(fmt: string, label: string, at: Token): OptType {
  const array = /[AaD]/.test(fmt);
  if (fmt.includes("E")) throw new MigrateError(at, `option ${label} encapsulate?`, at.text);
  if (/[YAo]/.test(fmt) || fmt[0] === "X" || fmt[0] === "u") return { type: "binary", array };
  const map: Record<string, string> = {
    U: "string",
    t: "string",
    x: "string",
    I: "ipv4-address",
    "6": "ipv6-address",
    l: "int32",
    L: "uint32",
    T: "uint32",
    s: "int16",
    S: "uint16",
    b: "int8",
    B: "uint8",
    f: "boolean",
    X: "binary",
    d: "fqdn",
    D: "fqdn",
    Z: "empty",
  };
  const types: string[] = [];
  for (const c of fmt) {
    if (c === "a" || c === "c") continue;
    const t = map[c];
    if (!t) throw new MigrateError(at, `failed to convert format "${fmt}" for option ${label}`, at.text);
    types.push(t);
  }
  if (types.length === 0) throw new MigrateError(at, `failed to convert format "${fmt}" for option ${label}`, at.text);
  return types.length === 1 ? { type: types[0], array } : { type: "record", array, recordTypes: types };
}

/** `% option space NAME …` (keama parse_option_space_dir()). */
function spaceDirective(ts: TokenStream, reg: OptionRegistry, loc: Loc): Node | undefined {
  const nameTok = ts.next();
  if (nameTok.kind !== "word") throw new MigrateError(nameTok, "expecting identifier.", nameTok.text);
  const sp = reg.space(nameTok.text);
  if (!sp) throw new MigrateError(nameTok, `can't find space '${nameTok.text}'`, nameTok.text);
  const op = ts.next();
  if (kw(op) === "check") {
    ts.expect(";", "semicolon expected.");
    return {
      k: "note",
      text: `space ISC DHCP (Kea) ${sp.name} (${sp.kea}) status ${DISPLAY[reg.spaceStatus(sp.name)]}`,
      loc,
    };
  }
  if (kw(op) === "alias") {
    const n = ts.next();
    if (n.kind !== "word") throw new MigrateError(n, "expecting identifier after alias keyword.", n.text);
    if (reg.spaceStatus(sp.name) !== "dynamic") {
      throw new MigrateError(n, `attempt to rename ${sp.kea} to ${n.text}`, n.text);
    }
    ts.expect(";", "semicolon expected.");
    reg.renameSpace(sp.name, n.text);
    return undefined;
  }
  reg.setSpaceStatus(sp.name, statusWords(ts, op, `space ${sp.kea}`, true));
  return undefined;
}

/**
 * Parses a directive after its `%` (keama parse_directive()), applies it to `reg` and returns the node it makes:
 * an option definition (`code`, `define`), a note (`check`) or nothing. Refuses with keama's messages.
 */
export function parseDirective(ts: TokenStream, reg: OptionRegistry, loc: Loc): Node | undefined {
  const head = ts.next();
  if (kw(head) !== "option") throw new MigrateError(head, `unknown directive ${head.text}`, head.text);
  if (kw(ts.peek()) === "space") {
    ts.next();
    return spaceDirective(ts, reg, loc);
  }
  const t = ts.next();
  if (t.kind !== "word") throw new MigrateError(t, "expecting identifier after option keyword.", t.text);
  const dot = t.text.indexOf(".");
  const name = dot < 0 ? t.text : t.text.slice(dot + 1);
  if (name === "") throw new MigrateError(t, "expecting identifier after '.'", t.text);
  const space = dot < 0 ? reg.defaultSpace(name) : t.text.slice(0, dot);
  if (!SPECIAL.has(space) && !reg.space(space)) throw new MigrateError(t, `no option space named ${space}.`, t.text);
  const info = SPECIAL.has(space) ? undefined : reg.lookupAny(space, name);
  const code = info?.code ?? 0;
  const keaName = info?.name ?? name;
  const keaSpace = info?.space ?? reg.space(space)?.kea ?? space;
  const op = ts.next();
  if (kw(op) === "check") {
    ts.expect(";", "semicolon expected.");
    const d = info?.def;
    const type = d ? (d.recordTypes ? `record (${d.recordTypes.join(", ")})` : d.type) : "binary";
    return {
      k: "note",
      text: `option ISC DHCP (Kea) ${space}.${name} (${keaSpace}.${keaName}) type ${type} array ${d?.array ?? false} ` +
        `status ${SPECIAL.has(space) ? "special" : DISPLAY[reg.status(space, name)]}`,
      loc,
    };
  }
  if (SPECIAL.has(space)) throw new MigrateError(t, `attempt to modify config ${space}.${name}`, t.text);
  const label = `${keaSpace}.${keaName} code ${code}`;
  switch (kw(op)) {
    case "alias": {
      const n = ts.next();
      if (n.kind !== "word") throw new MigrateError(n, "expecting identifier after alias keyword.", n.text);
      if (reg.status(space, name) !== "dynamic") {
        throw new MigrateError(n, `attempt to rename ${keaSpace}.${keaName} to ${n.text}`, n.text);
      }
      ts.expect(";", "semicolon expected.");
      reg.alias(space, name, n.text);
      return undefined;
    }
    case "code":
      return codeDirective(ts, reg, { space, name, keaSpace, keaName, info }, loc);
    case "local": {
      if (code === 0) throw new MigrateError(t, `unknown code for option ${keaSpace}.${keaName}`, t.text);
      const d = reg.definedCode(space, code);
      if (!d) throw new MigrateError(t, `can't find option ${label} in definitions`, t.text);
      ts.expect(";", "semicolon expected.");
      d.local = true;
      return undefined;
    }
    case "define": {
      if (code === 0 || !info) throw new MigrateError(t, `unknown code for option ${keaSpace}.${keaName}`, t.text);
      if (reg.definedCode(space, code)) throw new MigrateError(t, `unexpected definition for option ${label}`, t.text);
      ts.expect(";", "semicolon expected.");
      const status = reg.status(space, name);
      const d = reg.define(space, name, code, { ...info.def });
      reg.setStatus(space, name, status);
      return { k: "optiondef", space: d.space, name: d.name, code, def: d.def, info: d, loc };
    }
    default:
      reg.setStatus(space, name, statusWords(ts, op, `option ${label}`, false));
      return undefined;
  }
}

/** `% option NAME code N = "FORMAT";` (keama parse_option_code_dir()): a definition in ISC DHCP's own format. */
function codeDirective(
  ts: TokenStream,
  reg: OptionRegistry,
  o: { space: string; name: string; keaSpace: string; keaName: string; info?: OptionInfo },
  loc: Loc,
): Node {
  const codeTok = ts.next();
  if (!/^\d+$/.test(codeTok.text)) throw new MigrateError(codeTok, "expecting option code number.", codeTok.text);
  const code = Number(codeTok.text);
  // keama: only an option nobody defines yet (dynamic, format "u") may get a definition, under a free code
  if (o.info || reg.status(o.space, o.name) !== "dynamic" || reg.byCode(o.space, code)) {
    throw new MigrateError(codeTok, `attempt to redefine ${o.keaSpace}.${o.keaName} code ${code}`, codeTok.text);
  }
  ts.expect("=", 'expecting "="');
  const f = ts.next();
  if (f.kind !== "string") throw new MigrateError(f, "expecting format string", f.text);
  ts.expect(";", "semicolon expected.");
  const def = convertFormat(f.text, `${o.keaSpace}.${o.keaName} code ${code}`, f);
  const d = reg.define(o.space, o.name, code, def);
  return { k: "optiondef", space: d.space, name: d.name, code, def, info: d, loc };
}
