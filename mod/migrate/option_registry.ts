/**
 * Option spaces and definitions known while parsing: dhcpd's built-in universes (`dhcp`, `dhcp6`, `server`,
 * `agent`), spaces declared with `option space`, and options declared with `option NAME code N = TYPE`.
 * Maps dhcpd names to Kea's: the `dhcp` universe is Kea's `dhcp4` space, a space encapsulated in
 * `vsio.SPACE` becomes `vendor-ENTERPRISE` (keama's choice, which is how Kea names vendor spaces).
 */

import type { OptType } from "./ast.ts";
import { type StdOption, stdOption } from "./option_table.ts";

/** A declared option space. */
export interface SpaceInfo {
  name: string;
  kea: string;
  codeWidth: number;
  lengthWidth: number;
}

/** An option as the translator needs it: Kea space, Kea name, code and type. */
export interface OptionInfo {
  space: string;
  name: string;
  code: number;
  def: OptType;
}

/** Registry of spaces and option definitions, filled as the parser meets declarations. */
export class OptionRegistry {
  readonly v6: boolean;
  private readonly spaces = new Map<string, SpaceInfo>();
  private readonly defs = new Map<string, OptionInfo>();

  constructor(v6: boolean) {
    this.v6 = v6;
    this.spaces.set("dhcp", { name: "dhcp", kea: "dhcp4", codeWidth: 1, lengthWidth: 1 });
    this.spaces.set("dhcp6", { name: "dhcp6", kea: "dhcp6", codeWidth: 2, lengthWidth: 2 });
    this.spaces.set("agent", { name: "agent", kea: "dhcp-agent-options-space", codeWidth: 1, lengthWidth: 1 });
    this.spaces.set("server", { name: "server", kea: "server", codeWidth: 2, lengthWidth: 2 });
    this.spaces.set("vsio", { name: "vsio", kea: "vendor-opts-space", codeWidth: 4, lengthWidth: 4 });
  }

  /** The universe an unqualified option name refers to (dhcpd: `dhcp`; under -6 weka also tries `dhcp6`). */
  defaultSpace(name: string): string {
    if (this.v6 && (this.defs.has(`dhcp6.${name}`) || stdOption("dhcp6", name))) return "dhcp6";
    return "dhcp";
  }

  /** Declares a space (dhcpd `option space NAME [code width N] [length width N]`). */
  declareSpace(name: string, codeWidth: number, lengthWidth: number): void {
    this.spaces.set(name, { name, kea: name, codeWidth, lengthWidth });
  }

  /** The space named `name`, or undefined. */
  space(name: string): SpaceInfo | undefined {
    return this.spaces.get(name);
  }

  /** Renames a space as Kea will call it (a vendor space encapsulated in `vsio` becomes `vendor-N`). */
  renameSpace(name: string, kea: string): void {
    const s = this.spaces.get(name);
    if (s) s.kea = kea;
    for (const d of this.defs.values()) if (d.space === name) d.space = kea;
  }

  /** Declares an option (dhcpd `option SPACE.NAME code N = TYPE`). */
  define(space: string, name: string, code: number, def: OptType): void {
    const kea = this.spaces.get(space)?.kea ?? space;
    this.defs.set(`${space}.${name}`, { space: kea, name, code, def });
  }

  /** Whether a definition exists for this code in this space (keama refuses a data option nobody defines). */
  definedCode(space: string, code: number): OptionInfo | undefined {
    for (const [k, d] of this.defs) if (k.startsWith(`${space}.`) && d.code === code) return d;
    return undefined;
  }

  /** Looks an option up by dhcpd space and name: declared options first, then the built-in tables. */
  lookup(space: string, name: string): OptionInfo | undefined {
    const d = this.defs.get(`${space}.${name}`);
    if (d) return d;
    if (space !== "dhcp" && space !== "dhcp6") return undefined;
    const s: StdOption | undefined = stdOption(space, name);
    if (!s) return undefined;
    return {
      space: space === "dhcp" ? "dhcp4" : "dhcp6",
      name: s.kea,
      code: s.code,
      def: { type: s.type, array: s.array, recordTypes: s.recordTypes },
    };
  }
}
