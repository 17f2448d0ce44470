/**
 * Kea's `libdhcp_flex_option.so` for DHCPv4, compiled (Kea 2.2's flex_option.cc `parseOptionConfig`, with its
 * messages): `parameters.options` is a list of entries naming an option by `code` (1..254) or `name` (in `space`,
 * default dhcp4; both must agree), with exactly one action: `add` or `supersede` (a string expression whose value
 * becomes the option's data: raw bytes, or with `csv-format` true the option definition's CSV text) or `remove` (a
 * boolean expression), and an optional `client-class` the query must belong to. `sub-options` entries are refused
 * in one line: weka does not edit sub-options yet. Problems go to `hooks-libraries[i].parameters.options[j]`.
 */
import { parseStringExpr, parseTest } from "../classify/expr/parser.ts";
import { ExprError } from "../classify/expr/lexer.ts";
import type { BoolExpr, StrExpr } from "../classify/expr/ast.ts";
import type { Problems } from "./errors.ts";
import type { OptionCodec4 } from "./option_codec.ts";

/** Kea's file name of the flex-option hook library. */
export const FLEX_OPTION_HOOK = "libdhcp_flex_option.so";

/** One compiled entry, applied to every response in configuration order. */
export type FlexOption4 =
  & { code: number; clientClass?: string; text: string }
  & (
    | { action: "add" | "supersede"; expr: StrExpr; encode?: (value: string) => Uint8Array }
    | { action: "remove"; expr: BoolExpr }
  );

const KEYS = [
  "code",
  "name",
  "space",
  "csv-format",
  "add",
  "supersede",
  "remove",
  "sub-options",
  "client-class",
  "comment",
];
const TYPES: Record<string, string> = {
  code: "number",
  name: "string",
  space: "string",
  "csv-format": "boolean",
  add: "string",
  supersede: "string",
  remove: "string",
  "client-class": "string",
  comment: "string",
};

/** Compiles the hook's `options` when the hook is loaded; undefined when it is not. */
export function compileFlexOption4(
  hooks: readonly { library: string; parameters?: Record<string, unknown> }[] | undefined,
  codec: OptionCodec4,
  problems: Problems,
): FlexOption4[] | undefined {
  const i = (hooks ?? []).findIndex((h) => h.library.endsWith(FLEX_OPTION_HOOK));
  if (i < 0) return undefined;
  const base = ["Dhcp4", "hooks-libraries", i, "parameters"];
  const list = hooks![i].parameters?.options;
  if (list === undefined) return void problems.add(base, "'options' parameter is mandatory"), [];
  if (!Array.isArray(list)) return void problems.add([...base, "options"], "'options' parameter must be a list"), [];
  const out: FlexOption4[] = [];
  list.forEach((raw, j) => {
    const p = [...base, "options", j];
    const why = entry(raw, codec, out);
    if (why) problems.add(why.key ? [...p, why.key] : p, why.message);
  });
  return out;
}

/** Compiles one entry into `out`; returns the problem (and the key it is at) when Kea would refuse it. */
function entry(raw: unknown, codec: OptionCodec4, out: FlexOption4[]): { key?: string; message: string } | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return { message: "option element is not a map" };
  const o = raw as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    if (!KEYS.includes(k)) return { key: k, message: `unknown parameter '${k}'` };
    if (k === "sub-options") continue;
    const kind: string = typeof v;
    if (kind !== TYPES[k]) {
      return { key: k, message: `'${k}' must be a ${TYPES[k] === "number" ? "integer" : TYPES[k]}` };
    }
  }
  if (o["sub-options"] !== undefined) {
    return { key: "sub-options", message: "flex_option 'sub-options' are not built into weka yet: edit whole options" };
  }
  if (o.code === undefined && o.name === undefined) return { message: "'code' or 'name' must be specified" };
  const space = (o.space as string | undefined) ?? "dhcp4";
  let code = o.code as number | undefined;
  if (code !== undefined) {
    if (!Number.isInteger(code) || code < 0 || code > 255) {
      return { key: "code", message: `invalid 'code' value ${code} not in [0..255]` };
    }
    if (space === "dhcp4" && code === 0) return { key: "code", message: "invalid 'code' value 0: reserved for PAD" };
    if (space === "dhcp4" && code === 255) {
      return { key: "code", message: "invalid 'code' value 255: reserved for END" };
    }
  }
  let def = o.name !== undefined ? codec.findOption4(o.name as string, space) : undefined;
  if (o.name !== undefined) {
    if (o.name === "") return { key: "name", message: "'name' must not be empty" };
    if (!def) return { key: "name", message: `no known '${o.name}' option in '${space}' space` };
    if (code !== undefined && def.code !== code) {
      return {
        key: "code",
        message: `option '${o.name}' is defined as code: ${def.code}, not the specified code: ${code}`,
      };
    }
    code = def.code;
  }
  const csv = o["csv-format"] === true;
  if (csv && !def) def = codec.findOption4(code!, space);
  if (csv && !def) return { key: "csv-format", message: `no known option with code '${code}' in '${space}' space` };
  const actions = (["add", "supersede", "remove"] as const).filter((a) => o[a] !== undefined);
  if (actions.length === 0) return { message: "no action: give one of 'add', 'supersede' or 'remove'" };
  if (actions.length > 1) return { key: actions[1], message: `multiple actions: ${actions.join(", ")}` };
  const action = actions[0];
  const text = o[action] as string;
  if (text === "") return { key: action, message: `'${action}' must not be empty` };
  const names = { optionCode: (n: string) => codec.findOption4(n, "dhcp4")?.code };
  const common = { code: code!, text, ...(o["client-class"] ? { clientClass: o["client-class"] as string } : {}) };
  try {
    if (action === "remove") out.push({ ...common, action, expr: parseTest(text, names).expr });
    else {
      const expr = parseStringExpr(text, names);
      const d = def;
      out.push({
        ...common,
        action,
        expr,
        ...(csv && d ? { encode: (v: string) => codec.encodeOptionData(d, v, true) } : {}),
      });
    }
  } catch (e) {
    if (!(e instanceof ExprError)) throw e;
    return {
      key: action,
      message: `can't parse ${action} expression [${text}] error: at column ${e.col}: ${e.message}`,
    };
  }
  return undefined;
}
