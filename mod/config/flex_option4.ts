/**
 * Kea's `libdhcp_flex_option.so` for DHCPv4 and DHCPv6, compiled (Kea 2.2's flex_option.cc `parseOptionConfig` and
 * `parseSubOption`, with its messages): `parameters.options` is a list of entries naming an option by `code`
 * (DHCPv4 1..254, DHCPv6 1..65535) or `name` (in `space`, default dhcp4 or dhcp6; both must agree), with exactly one action: `add` or `supersede` (a
 * string expression whose value becomes the option's data: raw bytes, or with `csv-format` true the option
 * definition's CSV text) or `remove` (a boolean expression), and an optional `client-class` the query must belong to.
 * An entry with `sub-options` instead edits sub-options inside that container option (its encapsulated space, or
 * the sub-option's `space`), each with its own action, class, `container-add` and `container-remove` (default true).
 * Vendor spaces (`vendor-NNNN`, options 125 / 17) are refused in one line: not built into weka yet. Problems go
 * to `Dhcp4|Dhcp6.hooks-libraries[i].parameters.options[j]` (`.sub-options[k]`). One compiler serves both
 * families (FlexFamily: the root key, the top space, the widest code).
 */
import { parseStringExpr, parseTest } from "../classify/expr/parser.ts";
import { ExprError } from "../classify/expr/lexer.ts";
import type { BoolExpr, StrExpr } from "../classify/expr/ast.ts";
import type { Problems } from "./errors.ts";
import type { OptionCodec4, OptionDefLike } from "./option_codec.ts";

/** Kea's file name of the flex-option hook library. */
export const FLEX_OPTION_HOOK = "libdhcp_flex_option.so";

/** What one entry does: a string expression for add/supersede (with CSV encoding), a test for remove. */
export type FlexAction =
  | { action: "add" | "supersede"; expr: StrExpr; encode?: (value: string) => Uint8Array }
  | { action: "remove"; expr: BoolExpr };

/** One compiled option entry, applied to every response in configuration order. */
export type FlexOption4 = { code: number; clientClass?: string; text: string } & FlexAction;

/** One compiled sub-option entry: `code` inside the container option `container`. */
export type FlexSubOption4 = {
  code: number;
  container: number;
  containerClass?: string;
  clientClass?: string;
  /** create the container when it is absent (add, supersede) */
  containerAdd: boolean;
  /** remove the container once its last sub-option is removed */
  containerRemove: boolean;
  text: string;
} & FlexAction;

/** The hook's compiled parameters: the option entries first, then the sub-option entries (Kea's order). */
export interface FlexOptions4 {
  options: FlexOption4[];
  subOptions: FlexSubOption4[];
}

const TYPES: Record<string, string> = {
  code: "number",
  name: "string",
  space: "string",
  "csv-format": "boolean",
  add: "string",
  supersede: "string",
  remove: "string",
  "sub-options": "object",
  "client-class": "string",
  comment: "string",
};
const SUB_TYPES: Record<string, string> = {
  ...TYPES,
  "sub-options": "",
  "container-add": "boolean",
  "container-remove": "boolean",
};

/** What differs between the families: the section, the top option space and the widest option code. */
export interface FlexFamily {
  root: "Dhcp4" | "Dhcp6";
  space: "dhcp4" | "dhcp6";
  maxCode: 255 | 65535;
}

/** DHCPv4: codes 1..254 in dhcp4 (0 is PAD, 255 END). */
export const FLEX4: FlexFamily = { root: "Dhcp4", space: "dhcp4", maxCode: 255 };
/** DHCPv6: codes 1..65535 in dhcp6 (Kea's uint16 option codes; 0 is reserved). */
export const FLEX6: FlexFamily = { root: "Dhcp6", space: "dhcp6", maxCode: 65535 };

type Problem = { key?: string | number; at?: (string | number)[]; message: string };

/**
 * Compiles the hook's `options` when the hook is loaded; undefined when it is not. `family` picks the section,
 * the default space and the code range (FLEX4 for Dhcp4, FLEX6 for Dhcp6); `codec` is the family's option codec
 * with the section's own `option-def` entries.
 */
export function compileFlexOption4(
  hooks: readonly { library: string; parameters?: Record<string, unknown> }[] | undefined,
  codec: OptionCodec4,
  problems: Problems,
  family: FlexFamily = FLEX4,
): FlexOptions4 | undefined {
  const i = (hooks ?? []).findIndex((h) => h.library.endsWith(FLEX_OPTION_HOOK));
  if (i < 0) return undefined;
  const base = [family.root, "hooks-libraries", i, "parameters"];
  const out: FlexOptions4 = { options: [], subOptions: [] };
  const list = hooks![i].parameters?.options;
  if (list === undefined) return void problems.add(base, "'options' parameter is mandatory"), out;
  if (!Array.isArray(list)) return void problems.add([...base, "options"], "'options' parameter must be a list"), out;
  list.forEach((raw, j) => {
    const why = entry(raw, { codec, family }, out);
    if (why) {
      problems.add(
        [...base, "options", j, ...(why.at ?? []), ...(why.key !== undefined ? [why.key] : [])],
        why.message,
      );
    }
  });
  return out;
}

/** The unknown or mistyped key of an entry, as Kea's SimpleParser::checkKeywords words it. */
function checkKeys(o: Record<string, unknown>, types: Record<string, string>): Problem | undefined {
  for (const [k, v] of Object.entries(o)) {
    if (!types[k]) return { key: k, message: `unknown parameter '${k}'` };
    const kind: string = typeof v;
    if (kind !== types[k]) {
      return { key: k, message: `'${k}' must be a ${types[k] === "number" ? "integer" : types[k]}` };
    }
  }
  return undefined;
}

/** The option `code`/`name` of an entry resolved in `space` (Kea's rules and messages). */
function resolve(
  o: Record<string, unknown>,
  space: string,
  { codec, family }: Ctx,
): { code: number; def?: OptionDefLike } | Problem {
  if (o.code === undefined && o.name === undefined) return { message: "'code' or 'name' must be specified" };
  let code = o.code as number | undefined;
  if (code !== undefined) {
    if (!Number.isInteger(code) || code < 0 || code > family.maxCode) {
      return { key: "code", message: `invalid 'code' value ${code} not in [0..${family.maxCode}]` };
    }
    if (space === "dhcp6" && code === 0) return { key: "code", message: "invalid 'code' value 0: reserved" };
    if (space === "dhcp4" && code === 0) return { key: "code", message: "invalid 'code' value 0: reserved for PAD" };
    if (space === "dhcp4" && code === 255) {
      return { key: "code", message: "invalid 'code' value 255: reserved for END" };
    }
  }
  let def: OptionDefLike | undefined;
  if (o.name !== undefined) {
    if (o.name === "") return { key: "name", message: "'name' must not be empty" };
    def = codec.findOption4(o.name as string, space);
    if (!def) return { key: "name", message: `no known '${o.name}' option in '${space}' space` };
    if (code !== undefined && def.code !== code) {
      return {
        key: "code",
        message: `option '${o.name}' is defined as code: ${def.code}, not the specified code: ${code}`,
      };
    }
    code = def.code;
  }
  return { code: code!, def: def ?? codec.findOption4(code!, space) };
}

/** The one action of an entry, parsed (Kea's `parseAction`); a problem when there is none, several or a bad one. */
function action(
  o: Record<string, unknown>,
  { codec, family }: Ctx,
  def: OptionDefLike | undefined,
  space: string,
  code: number,
): FlexAction | Problem {
  const actions = (["add", "supersede", "remove"] as const).filter((a) => o[a] !== undefined);
  if (actions.length === 0) return { message: "no action: give one of 'add', 'supersede' or 'remove'" };
  if (actions.length > 1) return { key: actions[1], message: `multiple actions: ${actions.join(", ")}` };
  const a = actions[0];
  const text = o[a] as string;
  if (text === "") return { key: a, message: `'${a}' must not be empty` };
  const csv = o["csv-format"] === true;
  if (csv && !def) return { key: "csv-format", message: `no known option with code '${code}' in '${space}' space` };
  const names = {
    optionCode: (n: string) => codec.findOption4(n, family.space)?.code,
    family: family.space === "dhcp6" ? 6 as const : 4 as const,
  };
  try {
    if (a === "remove") return { action: a, expr: parseTest(text, names).expr };
    const expr = parseStringExpr(text, names);
    const d = def;
    return { action: a, expr, ...(csv && d ? { encode: (v: string) => codec.encodeOptionData(d, v, true) } : {}) };
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    return { key: a, message: `can't parse ${a} expression [${text}] error: at column ${e.col}: ${e.message}` };
  }
}

const isProblem = (x: object): x is Problem => "message" in x;

/** The family's codec and rules, passed down the entry parsers. */
type Ctx = { codec: OptionCodec4; family: FlexFamily };

/** Compiles one entry into `out`; returns the problem (and where it is) when Kea would refuse it. */
function entry(raw: unknown, ctx: Ctx, out: FlexOptions4): Problem | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { message: "option element is not a map" };
  const o = raw as Record<string, unknown>;
  const bad = checkKeys(o, TYPES);
  if (bad) return bad;
  const space = (o.space as string | undefined) ?? ctx.family.space;
  const r = resolve(o, space, ctx);
  if (isProblem(r)) return r;
  const clientClass = o["client-class"] as string | undefined;
  if (o["sub-options"] !== undefined) {
    const act = (["add", "supersede", "remove"] as const).find((a) => o[a] !== undefined);
    if (act) return { key: "sub-options", message: `'sub-options' and '${act}' are incompatible in the same entry` };
    if (!Array.isArray(o["sub-options"])) return { key: "sub-options", message: "'sub-options' must be a list" };
    for (const [k, sub] of (o["sub-options"] as unknown[]).entries()) {
      const why = subEntry(sub, r.code, r.def, clientClass, ctx, out);
      if (why) return { ...why, at: ["sub-options", k, ...(why.at ?? [])] };
    }
    return undefined;
  }
  const a = action(o, ctx, o["csv-format"] === true ? r.def : undefined, space, r.code);
  if (isProblem(a)) return a;
  out.options.push({
    code: r.code,
    text: (o.add ?? o.supersede ?? o.remove) as string,
    ...(clientClass ? { clientClass } : {}),
    ...a,
  });
  return undefined;
}

/** One `sub-options` element of container `container` (Kea's `parseSubOption`). */
function subEntry(
  raw: unknown,
  container: number,
  containerDef: OptionDefLike | undefined,
  containerClass: string | undefined,
  ctx: Ctx,
  out: FlexOptions4,
): Problem | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { message: "sub-option element is not a map" };
  }
  const o = raw as Record<string, unknown>;
  const bad = checkKeys(o, SUB_TYPES);
  if (bad) return bad;
  let space = o.space as string | undefined;
  if (space === undefined) {
    if (!containerDef) return { message: "container is not defined: can't get space" };
    if (!containerDef.encapsulate) return { message: "container does not encapsulate a space" };
    space = containerDef.encapsulate;
  }
  if (/^vendor-\d+$/.test(space)) {
    return {
      key: "space",
      message: `flex_option sub-options of the vendor space '${space}' are not built into weka yet`,
    };
  }
  const r = resolve(o, space, ctx);
  if (isProblem(r)) return r;
  const a = action(o, ctx, o["csv-format"] === true ? r.def : undefined, space, r.code);
  if (isProblem(a)) return a;
  out.subOptions.push({
    code: r.code,
    container,
    ...(containerClass ? { containerClass } : {}),
    ...(o["client-class"] ? { clientClass: o["client-class"] as string } : {}),
    containerAdd: o["container-add"] !== false,
    containerRemove: o["container-remove"] !== false,
    text: (o.add ?? o.supersede ?? o.remove) as string,
    ...a,
  });
  return undefined;
}
