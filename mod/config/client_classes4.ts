/**
 * Client classes of a `Dhcp4` map (Kea's `client-classes`): the strict schema of one class, the subnet/pool
 * guards (`client-class` of Kea 2.2, `client-classes` of newer Kea), and the compiler that parses each `test`
 * with mod/classify and applies Kea 2.2's checks: names unique, a built-in class (ALL, KNOWN, UNKNOWN) defined
 * without a test, `member()` only of classes defined before or built in, option names known.
 */
import * as v from "valibot";
import { annotations, bool, ipv4, optionDataList, str, strictMap, uint32 } from "./schema_common.ts";
import { optionDefList } from "./schema_option_def.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { ClientClass4, OptionValue } from "./model.ts";
import type { OptionDataIn } from "./schema_common.ts";
import type { OptionCodec4 } from "./option_codec.ts";
import { parseStringExpr, parseTest } from "../classify/expr/parser.ts";
import { compileOptionDefs, withOptionDefs } from "./option_defs4.ts";
import { ExprError } from "../classify/expr/lexer.ts";
import { parseIpv4 } from "../wire/addr.ts";
import { isBuiltinClass } from "../classify/classify4.ts";
import type { HaConfig } from "./model_ha.ts";

/** One `client-classes` entry. */
export const clientClass = strictMap({
  name: v.pipe(str, v.minLength(1, "a client class needs a non-empty 'name'")),
  test: v.optional(str),
  "option-data": v.optional(optionDataList),
  "next-server": v.optional(ipv4),
  "server-hostname": v.optional(v.pipe(str, v.maxLength(64, "must be at most 64 bytes"))),
  "boot-file-name": v.optional(v.pipe(str, v.maxLength(128, "must be at most 128 bytes"))),
  "valid-lifetime": v.optional(uint32),
  "min-valid-lifetime": v.optional(uint32),
  "max-valid-lifetime": v.optional(uint32),
  /** Kea 2.6: overrides the subnet's offer-lifetime for members (the first class setting it wins) */
  "offer-lifetime": v.optional(uint32),
  "only-if-required": v.optional(bool),
  "only-in-additional-list": v.optional(bool),
  /** Kea 2.6+: a template class, whose value spawns the class `SPAWN_<name>_<value>` */
  "template-test": v.optional(str),
  /** option definitions for this class's option-data only (Kea: DHCPv4 classes, e.g. option 43's encapsulation) */
  "option-def": v.optional(optionDefList),
  ...annotations,
}, "must be a map");

/** The `client-classes` list of Dhcp4. */
export const clientClassList = v.array(clientClass, "must be a list");

/** A validated class entry. */
export type ClientClassIn = v.InferOutput<typeof clientClass>;

/**
 * Class keys of a shared network, subnet, pool (and pd-pool): the guard, as Kea 2.2's single `client-class` and the
 * newer `client-classes` list, and the additional classes to evaluate once an address is chosen, as Kea 2.2's
 * `require-client-classes` and Kea 2.6+'s `evaluate-additional-classes`.
 */
export const classGuardParams = {
  "client-class": v.optional(str),
  "client-classes": v.optional(v.array(str, "must be a list of class names")),
  "require-client-classes": v.optional(v.array(str, "must be a list of class names")),
  "evaluate-additional-classes": v.optional(v.array(str, "must be a list of class names")),
};

/**
 * The additional classes of a shared network, subnet, pool or pd-pool: Kea 2.2's `require-client-classes` then
 * Kea 2.6+'s `evaluate-additional-classes`, or undefined when it names none.
 */
export function compileAdditional(
  s: { "require-client-classes"?: string[]; "evaluate-additional-classes"?: string[] },
): string[] | undefined {
  const list = [...(s["require-client-classes"] ?? []), ...(s["evaluate-additional-classes"] ?? [])];
  return list.length ? [...new Set(list)] : undefined;
}

/**
 * Warns about additional classes (`require-client-classes`, `evaluate-additional-classes`) that no class defines:
 * Kea accepts them and skips them at run time (DHCP4_CLASS_UNDEFINED).
 */
export function checkAdditional(
  list: string[] | undefined,
  defined: readonly { name: string }[],
  path: JsonPath,
  problems: Problems,
): void {
  for (const n of list ?? []) {
    if (!defined.some((c) => c.name === n)) {
      problems.warn(path, `additional class '${n}' is not defined; it is never evaluated`);
    }
  }
}

/**
 * The guard of a subnet or pool as a list of class names (Kea 2.2's `client-class` and newer Kea's
 * `client-classes`, together), or undefined when the scope is open to every client. An empty name means no guard,
 * as Kea treats `"client-class": ""`.
 */
export function compileGuard(s: { "client-class"?: string; "client-classes"?: string[] }): string[] | undefined {
  const list = [...(s["client-class"] ? [s["client-class"]] : []), ...(s["client-classes"] ?? [])].filter((n) =>
    n !== ""
  );
  return list.length ? list : undefined;
}

/** Encodes option-data at a path, with the configuration's codec or (a class with its own option-def) another. */
type Encode = (list: OptionDataIn[] | undefined, path: JsonPath, codec?: OptionCodec4) => Map<number, OptionValue>;

/**
 * Compiles the `client-classes` list in order, as Kea's ClientClassDefListParser does: a duplicate name is
 * refused ("has already been defined"), a built-in class (ALL, KNOWN, UNKNOWN) may be listed only without a test,
 * each test is parsed (a syntax error is reported at `…test` with the column in the expression) and may only
 * name classes defined before it or built in; a class whose test depends on KNOWN/UNKNOWN, directly or through
 * another class, is marked for evaluation after the host lookup. Problems go to `problems`.
 */
export function compileClientClasses4(
  list: ClientClassIn[] | undefined,
  codec: OptionCodec4,
  encode: Encode,
  problems: Problems,
  scope: { root: string; space: string; family: 4 | 6 } = { root: "Dhcp4", space: "dhcp4", family: 4 },
): ClientClass4[] {
  const out: ClientClass4[] = [];
  const seen = new Map<string, ClientClass4 | null>();
  (list ?? []).forEach((c, i) => {
    const p: JsonPath = [scope.root, "client-classes", i];
    if (seen.has(c.name)) {
      problems.add([...p, "name"], `client class '${c.name}' has already been defined`);
      return;
    }
    const builtin = c.name === "ALL" || c.name === "KNOWN" || c.name === "UNKNOWN";
    if (builtin && c.test !== undefined) {
      problems.add([...p, "test"], `built-in class '${c.name}' cannot have a test expression`);
      return;
    }
    if (c.test !== undefined && c["template-test"] !== undefined) {
      problems.add([...p, "template-test"], `class '${c.name}' cannot have both a 'test' and a 'template-test'`);
      return;
    }
    // Kea (DHCPv4 classes only): option definitions that this class's option-data is encoded with
    const classCodec = c["option-def"]?.length
      ? withOptionDefs(
        codec,
        compileOptionDefs(c["option-def"], codec, problems, { root: scope.root, space: scope.space, base: p }),
        scope.space,
      )
      : codec;
    const cls: ClientClass4 = {
      name: c.name,
      afterHost: false,
      additional: (c["only-if-required"] ?? false) || (c["only-in-additional-list"] ?? false),
      options: encode(c["option-data"], [...p, "option-data"], classCodec),
    };
    if (c["template-test"] !== undefined) {
      try {
        cls.templateTest = parseStringExpr(c["template-test"], {
          optionCode: (n) => codec.findOption4(n, scope.space)?.code,
          family: scope.family,
        });
      } catch (e) {
        if (!(e instanceof ExprError)) throw e;
        problems.add(
          [...p, "template-test"],
          `cannot parse the template-test of class '${c.name}' at column ${e.col}: ${e.message} (in "${
            c["template-test"]
          }")`,
        );
        return;
      }
    }
    if (c.test !== undefined) {
      try {
        const parsed = parseTest(c.test, {
          optionCode: (n) => codec.findOption4(n, scope.space)?.code,
          family: scope.family,
        });
        for (const m of parsed.members) {
          if (m === "KNOWN" || m === "UNKNOWN") cls.afterHost = true;
          else if (seen.get(m)?.afterHost) cls.afterHost = true;
          if (!seen.has(m) && !isBuiltinClass(m)) {
            throw new ExprError(
              c.test.indexOf(`'${m}'`) + 1,
              `member('${m}') names a class that is not defined before this one`,
            );
          }
        }
        cls.test = parsed.expr;
      } catch (e) {
        if (!(e instanceof ExprError)) throw e;
        problems.add(
          [...p, "test"],
          `cannot parse the test of class '${c.name}' at column ${e.col}: ${e.message} (in "${c.test}")`,
        );
        return;
      }
    }
    if (c["next-server"] !== undefined) cls.nextServer = parseIpv4(c["next-server"]);
    if (c["server-hostname"] !== undefined) cls.serverHostname = c["server-hostname"];
    if (c["boot-file-name"] !== undefined) cls.bootFileName = c["boot-file-name"];
    if (c["valid-lifetime"] !== undefined) cls.validLifetime = c["valid-lifetime"];
    if (c["min-valid-lifetime"] !== undefined) cls.minValidLifetime = c["min-valid-lifetime"];
    if (c["max-valid-lifetime"] !== undefined) cls.maxValidLifetime = c["max-valid-lifetime"];
    if (c["offer-lifetime"] !== undefined) cls.offerLifetime = c["offer-lifetime"];
    checkClassTriplet("valid-lifetime", [cls.validLifetime, cls.minValidLifetime, cls.maxValidLifetime], p, problems);
    seen.set(c.name, cls);
    out.push(cls);
  });
  return out;
}

/**
 * Kea's rule for a class's lifetime triplet (valid-lifetime, and for DHCPv6 also preferred-lifetime): when the
 * lifetime and its min or max are both set, min must not be greater and max not less. Problems are recorded at
 * the class's `min-…` / `max-…` key.
 */
export function checkClassTriplet(
  key: "valid-lifetime" | "preferred-lifetime",
  [value, min, max]: [number | undefined, number | undefined, number | undefined],
  classPath: JsonPath,
  problems: Problems,
): void {
  if (value === undefined) return;
  if (min !== undefined && min > value) {
    problems.add([...classPath, `min-${key}`], `min-${key} (${min}) is greater than ${key} (${value})`);
  }
  if (max !== undefined && max < value) {
    problems.add([...classPath, `max-${key}`], `max-${key} (${max}) is less than ${key} (${value})`);
  }
}

/**
 * The `HA_<server>` classes the HA hook puts on queries (Kea query_filter.cc): the scope of the server a query
 * falls to, i.e. the primary's and, in load-balancing, the secondary's.
 */
function haScopeClasses(ha: HaConfig): string[] {
  return ha.peers.filter((p) => p.role === "primary" || (ha.mode === "load-balancing" && p.role === "secondary"))
    .map((p) => `HA_${p.name}`);
}

/**
 * Warns about subnet/pool guards naming a class that is neither defined nor built in: Kea 2.2 accepts them (the
 * class may come from a hook), but no client can then use the scope. With the HA hook loaded (`ha`), an `HA_…`
 * guard counts as defined when it is one of the relationship's scope classes, and is warned about otherwise.
 */
export function checkGuards(
  guard: string[] | undefined,
  defined: readonly { name: string }[],
  path: JsonPath,
  problems: Problems,
  ha?: HaConfig,
): void {
  for (const g of guard ?? []) {
    if (ha && g.startsWith("HA_") && !defined.some((c) => c.name === g)) {
      const scopes = haScopeClasses(ha);
      if (!scopes.includes(g)) {
        problems.warn(
          path,
          `class '${g}' is not an HA scope class of this ${ha.mode} relationship (${
            scopes.join(", ")
          }); no client will be able to use this scope`,
        );
      }
    } else if (!ha && g.startsWith("HA_") && !defined.some((c) => c.name === g)) {
      problems.warn(
        path,
        `class '${g}' is set only by the HA hook (libdhcp_ha.so), which is not loaded; no client will be able to use this scope`,
      );
    } else if (!isBuiltinClass(g) && !defined.some((c) => c.name === g)) {
      problems.warn(path, `class '${g}' is not defined; no client will be able to use this scope`);
    }
  }
}
