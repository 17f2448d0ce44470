/**
 * Finding a standard DHCPv4 option definition by name or code, per option space, as Kea's `LibDHCP::getOptionDef`
 * does for `option-data` entries that give `name`, `code` or both.
 */
import { AGENT_OPTION_DEFS } from "./std_agent.ts";
import { DHCP4_OPTION_DEFS } from "./std_dhcp4.ts";
import { DOCSIS3_V4_SPACES } from "./std_docsis4.ts";
import type { OptionDef } from "./types.ts";

/** One option space's definitions, by name and by code (iterating byCode gives code order). */
export interface SpaceIndex {
  byName: Map<string, OptionDef>;
  byCode: Map<number, OptionDef>;
}

/** Indexes a definition table by name and by code, in code order. */
export function indexSpace(defs: readonly OptionDef[]): SpaceIndex {
  const byName = new Map<string, OptionDef>();
  const byCode = new Map<number, OptionDef>();
  for (const d of [...defs].sort((a, b) => a.code - b.code)) {
    byName.set(d.name, d);
    byCode.set(d.code, d);
  }
  return { byName, byCode };
}

/** Indexes each table of a space → definitions record (Kea's per-space definition containers). */
export function indexSpaces(tables: Readonly<Record<string, readonly OptionDef[]>>): Record<string, SpaceIndex> {
  return Object.fromEntries(Object.entries(tables).map(([s, defs]) => [s, indexSpace(defs)]));
}

/** Every definition of `space` in an indexed universe, in code order (empty for an unknown space). */
export function listInSpaces(spaces: Record<string, SpaceIndex>, space: string): OptionDef[] {
  const s = spaces[space];
  return s ? [...s.byCode.values()] : [];
}

/**
 * Kea's `LibDHCP::getOptionDef` rule for one universe: the definition named or numbered `nameOrCode` in `space`;
 * a numeric string ("3") is a code, as Kea accepts `"code": 3` and `"name": "routers"` alike.
 */
export function findInSpaces(
  spaces: Record<string, SpaceIndex>,
  nameOrCode: string | number,
  space: string,
): OptionDef | undefined {
  const s = spaces[space];
  if (!s) return undefined;
  if (typeof nameOrCode === "number") return s.byCode.get(nameOrCode);
  const t = nameOrCode.trim();
  if (/^\d+$/.test(t)) return s.byCode.get(Number(t));
  return s.byName.get(t);
}

const SPACES: Record<string, SpaceIndex> = {
  "dhcp4": indexSpace(DHCP4_OPTION_DEFS),
  "dhcp-agent-options-space": indexSpace(AGENT_OPTION_DEFS),
  ...indexSpaces(DOCSIS3_V4_SPACES),
};

/**
 * Looks up a standard definition in `space` ("dhcp4", "dhcp-agent-options-space", "docsis3-v4"/"vendor-4491") by Kea name or by code. A
 * numeric string ("3") is taken as a code, as Kea accepts `"code": 3` and `"name": "routers"` alike. Returns
 * undefined for an unknown name, code or space (Kea then needs a custom `option-def`, or hex data for a code).
 */
export function findOption4(nameOrCode: string | number, space = "dhcp4"): OptionDef | undefined {
  return findInSpaces(SPACES, nameOrCode, space);
}

/** Every standard definition of a space, in code order (for `config-get`-style listings and tests). */
export function listOptions4(space = "dhcp4"): OptionDef[] {
  return listInSpaces(SPACES, space);
}
