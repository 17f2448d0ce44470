/**
 * Finding a standard DHCPv4 option definition by name or code, per option space, as Kea's `LibDHCP::getOptionDef`
 * does for `option-data` entries that give `name`, `code` or both.
 */
import { AGENT_OPTION_DEFS } from "./std_agent.ts";
import { DHCP4_OPTION_DEFS } from "./std_dhcp4.ts";
import type { OptionDef } from "./types.ts";

interface SpaceIndex {
  byName: Map<string, OptionDef>;
  byCode: Map<number, OptionDef>;
}

function index(defs: readonly OptionDef[]): SpaceIndex {
  const byName = new Map<string, OptionDef>();
  const byCode = new Map<number, OptionDef>();
  for (const d of defs) {
    byName.set(d.name, d);
    byCode.set(d.code, d);
  }
  return { byName, byCode };
}

const SPACES: Record<string, SpaceIndex> = {
  "dhcp4": index(DHCP4_OPTION_DEFS),
  "dhcp-agent-options-space": index(AGENT_OPTION_DEFS),
};

/**
 * Looks up a standard definition in `space` ("dhcp4" or "dhcp-agent-options-space") by Kea name or by code. A
 * numeric string ("3") is taken as a code, as Kea accepts `"code": 3` and `"name": "routers"` alike. Returns
 * undefined for an unknown name, code or space (Kea then needs a custom `option-def`, or hex data for a code).
 */
export function findOption4(nameOrCode: string | number, space = "dhcp4"): OptionDef | undefined {
  const s = SPACES[space];
  if (!s) return undefined;
  if (typeof nameOrCode === "number") return s.byCode.get(nameOrCode);
  const t = nameOrCode.trim();
  if (/^\d+$/.test(t)) return s.byCode.get(Number(t));
  return s.byName.get(t);
}

/** Every standard definition of a space, in code order (for `config-get`-style listings and tests). */
export function listOptions4(space = "dhcp4"): OptionDef[] {
  const s = SPACES[space];
  return s ? [...s.byCode.values()] : [];
}
