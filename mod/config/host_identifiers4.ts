/**
 * `host-reservation-identifiers` and the built-in flex-id hook (Kea's libdhcp_flex_id.so) of a `Dhcp4` map: the
 * checks Kea's HostReservationIdsParser and the hook's `load()` make, the checks weka adds so that a flex-id
 * reservation never sits unused without telling the operator, and the compilation into the model's
 * `hostIdentifiers` and `flexId`.
 */
import { parseStringExpr } from "../classify/expr/parser.ts";
import { ExprError } from "../classify/expr/lexer.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { FlexId4, HostIdType } from "./model.ts";
import type { OptionCodec4 } from "./option_codec.ts";
import type { Dhcp4In } from "./schema4.ts";
import type { ReservationIn } from "./schema_reservations.ts";
import { DEFAULT_HOST_ID_TYPES, RESERVATION_ID_KEYS } from "./host_ids4.ts";

/** The file name that switches on the built-in flex-id module (any directory, as Kea's hooks-libraries path). */
export const FLEX_ID_HOOK = "libdhcp_flex_id.so";

/** The flex-id hook's parameters in Kea (2.2 reads the first three; `cid-as-rfc4361-duid` came later). */
const FLEX_PARAMS = ["identifier-expression", "replace-client-id", "ignore-iaid", "cid-as-rfc4361-duid"];

type Hook = { library: string; parameters?: Record<string, unknown> };

/** Index of the flex-id hook in `hooks-libraries`, or -1. */
function flexHookIndex(d: Dhcp4In): number {
  return ((d["hooks-libraries"] ?? []) as Hook[]).findIndex((h) =>
    h.library.slice(h.library.lastIndexOf("/") + 1) === FLEX_ID_HOOK
  );
}

/** Every reservation list of the map with its JSON path: global, each subnet, each shared network's subnets. */
function reservationLists(d: Dhcp4In): { list: ReservationIn[]; path: JsonPath }[] {
  type S = { reservations?: ReservationIn[] };
  const out: { list: ReservationIn[]; path: JsonPath }[] = [];
  if (d.reservations) out.push({ list: d.reservations, path: ["Dhcp4", "reservations"] });
  ((d.subnet4 ?? []) as S[]).forEach((s, i) => {
    if (s.reservations) out.push({ list: s.reservations, path: ["Dhcp4", "subnet4", i, "reservations"] });
  });
  const nets = (d as { "shared-networks"?: { subnet4?: S[] }[] })["shared-networks"] ?? [];
  nets.forEach((n, k) =>
    (n.subnet4 ?? []).forEach((s, i) => {
      if (s.reservations) {
        out.push({ list: s.reservations, path: ["Dhcp4", "shared-networks", k, "subnet4", i, "reservations"] });
      }
    })
  );
  return out;
}

/** The JSON type name Kea's messages use for a parameter value. */
function typeName(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "list";
  if (typeof x === "object") return "map";
  if (typeof x === "number") return Number.isInteger(x) ? "integer" : "real";
  return typeof x;
}

/**
 * Checks `host-reservation-identifiers` and the flex-id hook. Kea's rules: the list is not empty ("requires at
 * least one identifier") and has no duplicate ("duplicate host identifier"); the hook's `identifier-expression`
 * is a string (FLEX_ID_EXPRESSION_INVALID_JSON_TYPE) and `replace-client-id` a boolean
 * (FLEX_ID_REPLACE_CLIENT_ID_JSON_TYPE). weka's own rules: `cid-as-rfc4361-duid: true` (newer than Kea 2.2) is
 * refused. 'flex-id' in the list and flex-id reservations without the hook are accepted as Kea accepts
 * them (its own example configs do this), but where Kea says nothing weka warns that they never match; a reservation
 * whose identifier type is not in the list, and an unknown hook parameter, are warnings too.
 */
export function checkHostIdentifiers4(d: Dhcp4In, problems: Problems): void {
  const ids = d["host-reservation-identifiers"];
  const lp: JsonPath = ["Dhcp4", "host-reservation-identifiers"];
  const hook = flexHookIndex(d);
  if (ids !== undefined && ids.length === 0) {
    problems.add(lp, "'host-reservation-identifiers' requires at least one identifier to be specified");
  }
  (ids ?? []).forEach((t, k) => {
    if (ids!.indexOf(t) < k) problems.add([...lp, k], `duplicate host identifier '${t}'`);
    else if (t === "flex-id" && hook < 0) {
      problems.warn(
        [...lp, k],
        `hook library ${FLEX_ID_HOOK} is not loaded: no flex-id is computed and flex-id reservations never match`,
      );
    }
  });
  const listed: readonly HostIdType[] = ids ?? DEFAULT_HOST_ID_TYPES;
  for (const { list, path } of reservationLists(d)) {
    list.forEach((r, j) => {
      const given = RESERVATION_ID_KEYS.filter((key) => r[key] !== undefined);
      if (given.length !== 1) return; // reported by checkReservations4
      const type = given[0];
      const at: JsonPath = [...path, j, type];
      if (type === "flex-id" && hook < 0) {
        problems.warn(
          at,
          `hook library ${FLEX_ID_HOOK} is not loaded: this flex-id reservation is never used`,
          true,
        );
      } else if (!listed.includes(type)) {
        problems.warn(
          at,
          `'${type}' is not in host-reservation-identifiers (${listed.join(", ")}); this reservation is never used`,
          true,
        );
      }
    });
  }
  if (hook >= 0) checkFlexParams(d, hook, problems);
}

/** The flex-id hook's parameter checks (see checkHostIdentifiers4). */
function checkFlexParams(d: Dhcp4In, hook: number, problems: Problems): void {
  const params = ((d["hooks-libraries"] as Hook[])[hook].parameters ?? {}) as Record<string, unknown>;
  const pp: JsonPath = ["Dhcp4", "hooks-libraries", hook, "parameters"];
  const expr = params["identifier-expression"];
  if (expr === undefined) {
    problems.warn(pp, "no 'identifier-expression': the flex-id hook will compute no identifier");
  } else if (typeof expr !== "string") {
    problems.add([...pp, "identifier-expression"], `must be a string (got ${typeName(expr)})`);
  } else if (expr.trim() === "") {
    problems.warn([...pp, "identifier-expression"], "is empty: the flex-id hook will compute no identifier");
  }
  for (const key of ["replace-client-id", "ignore-iaid", "cid-as-rfc4361-duid"]) {
    const x = params[key];
    if (x !== undefined && typeof x !== "boolean") {
      problems.add([...pp, key], `must be true or false (got ${typeName(x)})`);
    }
  }
  if (params["cid-as-rfc4361-duid"] === true) {
    problems.add(
      [...pp, "cid-as-rfc4361-duid"],
      "'cid-as-rfc4361-duid: true' is not supported by weka yet (a replaced client identifier is 0x00 + flex-id, " +
        "as in Kea 2.2); remove it or set it to false",
    );
  }
  if (params["ignore-iaid"] !== undefined) {
    problems.warn([...pp, "ignore-iaid"], "ignored: 'ignore-iaid' applies to DHCPv6 only", true);
  }
  for (const key of Object.keys(params)) {
    if (!FLEX_PARAMS.includes(key)) {
      problems.warn([...pp, key], `ignored: the flex-id hook has no parameter '${key}'`, true);
    }
  }
}

/**
 * The model's `hostIdentifiers` (only when configured; the engine falls back to Kea's default list) and
 * `flexId` (when the hook is loaded): the hook's `identifier-expression` is parsed in Kea's string mode with the
 * option names of the configuration (standard and option-def); a syntax error is a problem at
 * `hooks-libraries[i].parameters.identifier-expression` with the column, as Kea's FLEX_ID_EXPRESSION_PARSE_FAILED.
 */
export function compileHostIdentifiers4(
  d: Dhcp4In,
  codec: OptionCodec4,
  problems: Problems,
): { hostIdentifiers?: HostIdType[]; flexId?: FlexId4 } {
  const out: { hostIdentifiers?: HostIdType[]; flexId?: FlexId4 } = {};
  const ids = d["host-reservation-identifiers"];
  if (ids !== undefined) out.hostIdentifiers = [...ids];
  const hook = flexHookIndex(d);
  if (hook < 0) return out;
  const params = (d["hooks-libraries"] as Hook[])[hook].parameters ?? {};
  const flex: FlexId4 = { replaceClientId: params["replace-client-id"] === true };
  const text = params["identifier-expression"];
  if (typeof text === "string" && text.trim() !== "") {
    try {
      flex.expr = parseStringExpr(text, { optionCode: (n) => codec.findOption4(n, "dhcp4")?.code });
    } catch (e) {
      if (!(e instanceof ExprError)) throw e;
      problems.add(
        ["Dhcp4", "hooks-libraries", hook, "parameters", "identifier-expression"],
        `cannot parse the identifier-expression at column ${e.col}: ${e.message} (in "${text}")`,
      );
    }
  }
  out.flexId = flex;
  return out;
}
