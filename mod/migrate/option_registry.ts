/**
 * Option spaces and definitions known while parsing: dhcpd's built-in universes (`dhcp`, `dhcp6`, `server`,
 * `agent`), spaces declared with `option space`, and options declared with `option NAME code N = TYPE`.
 * Maps dhcpd names to Kea's: the `dhcp` universe is Kea's `dhcp4` space, a space encapsulated in
 * `vsio.SPACE` becomes `vendor-ENTERPRISE` (keama's choice, which is how Kea names vendor spaces).
 * Also holds what keama's `%` directives set (keama options.c): an option's or space's status (who knows it:
 * ISC DHCP, Kea, both, or "dynamic" = defined by the configuration), Kea-side aliases, and local definitions.
 */

import type { OptType } from "./ast.ts";
import { type StdOption, stdOption, stdOptionByCode } from "./option_table.ts";
import type { OptionDef } from "../options/types.ts";

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
  /** set by `% option NAME local;`: the definition stays private to ISC DHCP and is not written for Kea */
  local?: boolean;
  /** the configuration named a standard option (`option arch code 93 = …`): Kea's definition, used instead */
  std?: OptionDef;
  /** the spaces whose options this one carries (`encapsulate NAME`), Kea names */
  encapsulates?: string;
}

/**
 * Who knows an option or a space (keama's `enum option_status`, written as `ISC KEA` in a `%` directive):
 * `known` = both (`known known`), `kea-unknown` = ISC DHCP only (`known unknown`), `isc-unknown` = Kea only
 * (`unknown known`), `dynamic` = defined by the configuration itself.
 */
export type OptionStatus = "known" | "kea-unknown" | "isc-unknown" | "dynamic";

/** Registry of spaces and option definitions, filled as the parser meets declarations. */
export class OptionRegistry {
  readonly v6: boolean;
  private readonly spaces = new Map<string, SpaceInfo>();
  private readonly defs = new Map<string, OptionInfo>();
  private readonly statuses = new Map<string, OptionStatus>();
  private readonly spaceStatuses = new Map<string, OptionStatus>();
  private readonly aliases = new Map<string, string>();
  private readonly declared = new Set<string>();

  constructor(v6: boolean) {
    this.v6 = v6;
    this.spaces.set("dhcp", { name: "dhcp", kea: "dhcp4", codeWidth: 1, lengthWidth: 1 });
    this.spaces.set("dhcp6", { name: "dhcp6", kea: "dhcp6", codeWidth: 2, lengthWidth: 2 });
    this.spaces.set("agent", { name: "agent", kea: "dhcp-agent-options-space", codeWidth: 1, lengthWidth: 1 });
    this.spaces.set("server", { name: "server", kea: "server", codeWidth: 2, lengthWidth: 2 });
    this.spaces.set("vsio", { name: "vsio", kea: "vendor-opts-space", codeWidth: 4, lengthWidth: 4 });
    // dhcpd's fqdn universe: the server's own settings for the client FQDN option (dhcp-options(5) "THE CLIENT FQDN
    // SUBOPTIONS"); the translator turns them into Kea's ddns-* parameters
    this.spaces.set("fqdn", { name: "fqdn", kea: "fqdn", codeWidth: 1, lengthWidth: 1 });
    const fq: [string, number, string][] = [
      ["no-client-update", 1, "boolean"],
      ["server-update", 2, "boolean"],
      [
        "encoded",
        3,
        "boolean",
      ],
      ["rcode1", 4, "uint8"],
      ["rcode2", 5, "uint8"],
      ["hostname", 6, "string"],
      ["domainname", 7, "string"],
      [
        "fqdn",
        8,
        "fqdn",
      ],
    ];
    for (const [n, c, t] of fq) {
      this.defs.set(`fqdn.${n}`, { space: "fqdn", name: n, code: c, def: { type: t, array: false } });
    }
  }

  /** The universe an unqualified option name refers to (dhcpd: `dhcp`; under -6 weka also tries `dhcp6`). */
  defaultSpace(name: string): string {
    if (this.v6 && (this.defs.has(`dhcp6.${name}`) || stdOption("dhcp6", name))) return "dhcp6";
    return "dhcp";
  }

  /** Declares a space (dhcpd `option space NAME [code width N] [length width N]`). */
  declareSpace(name: string, codeWidth: number, lengthWidth: number): void {
    this.spaces.set(name, { name, kea: name, codeWidth, lengthWidth });
    this.declared.add(name);
  }

  /** The space named `name`, or undefined (also for a space a `%` directive made unknown to ISC DHCP). */
  space(name: string): SpaceInfo | undefined {
    return this.spaceStatuses.get(name) === "isc-unknown" ? undefined : this.spaces.get(name);
  }

  /** A space's status: set by a directive, else `dynamic` for declared spaces and `known` for built-in ones. */
  spaceStatus(name: string): OptionStatus {
    return this.spaceStatuses.get(name) ?? (this.declared.has(name) ? "dynamic" : "known");
  }

  /** Sets a space's status (keama parse_option_space_dir()). */
  setSpaceStatus(name: string, status: OptionStatus): void {
    this.spaceStatuses.set(name, status);
  }

  /** Renames a space as Kea will call it (a vendor space encapsulated in `vsio` becomes `vendor-N`). */
  renameSpace(name: string, kea: string): void {
    const s = this.spaces.get(name);
    if (s) s.kea = kea;
    for (const d of this.defs.values()) if (d.space === name) d.space = kea;
  }

  /** Declares an option (dhcpd `option SPACE.NAME code N = TYPE`). */
  define(space: string, name: string, code: number, def: OptType): OptionInfo {
    const kea = this.spaces.get(space)?.kea ?? space;
    const info = { space: kea, name: this.aliases.get(`${space}.${name}`) ?? name, code, def };
    this.defs.set(`${space}.${name}`, info);
    return info;
  }

  /**
   * An option's status (keama option->status): the one a `%` directive set, else `dynamic` for an option the
   * configuration defines or that nobody knows yet (keama allocates those as dynamic), `known` for a standard one.
   */
  status(space: string, name: string): OptionStatus {
    const key = `${space}.${name}`;
    const set = this.statuses.get(key);
    if (set) return set;
    return this.defs.has(key) || !this.standard(space, name) ? "dynamic" : "known";
  }

  /** Whether a `%` directive set this option's status (weka keeps its own behaviour for the others). */
  hasStatus(space: string, name: string): boolean {
    return this.statuses.has(`${space}.${name}`);
  }

  /** Sets an option's status (keama parse_option_status_dir()). */
  setStatus(space: string, name: string, status: OptionStatus): void {
    this.statuses.set(`${space}.${name}`, status);
  }

  /** Gives an option another Kea name (keama `% option NAME alias KEA-NAME;`), before or after its definition. */
  alias(space: string, name: string, kea: string): void {
    this.aliases.set(`${space}.${name}`, kea);
    const d = this.defs.get(`${space}.${name}`);
    if (d) d.name = kea;
  }

  /** Whether a definition exists for this code in this space (keama refuses a data option nobody defines). */
  definedCode(space: string, code: number): OptionInfo | undefined {
    for (const [k, d] of this.defs) if (k.startsWith(`${space}.`) && d.code === code) return d;
    return undefined;
  }

  /** Looks an option up by dhcpd space and name: declared options first, then the built-in tables. */
  lookup(space: string, name: string): OptionInfo | undefined {
    // keama option_lookup_name(): an option made unknown to ISC DHCP by a directive has no name in dhcpd.conf
    if (this.statuses.get(`${space}.${name}`) === "isc-unknown") return undefined;
    return this.lookupAny(space, name);
  }

  /** Looks an option up whatever its status (what a `%` directive refers to). */
  lookupAny(space: string, name: string): OptionInfo | undefined {
    const d = this.defs.get(`${space}.${name}`);
    if (d) return d;
    const s = this.standard(space, name);
    if (!s) return undefined;
    return {
      space: space === "dhcp" ? "dhcp4" : "dhcp6",
      name: this.aliases.get(`${space}.${name}`) ?? s.kea,
      code: s.code,
      def: { type: s.type, array: s.array, recordTypes: s.recordTypes },
    };
  }

  /** The option that encapsulates the (Kea) space `space`, declared by `option NAME code N = encapsulate …`. */
  container(space: string): { space: string; name: string; code: number } | undefined {
    for (const d of this.defs.values()) {
      const enc = d.def.encapsulate;
      if (enc !== undefined && (this.spaces.get(enc)?.kea ?? enc) === space && !d.std) {
        return { space: d.space, name: d.name, code: d.code };
      }
    }
    return undefined;
  }

  /** Whether `space.name` is declared by `option … code` (not only a standard option). */
  defined(space: string, name: string): boolean {
    return this.defs.has(`${space}.${name}`);
  }

  /** The option with this code in this space, declared or standard (keama option_lookup_code()). */
  byCode(space: string, code: number): OptionInfo | undefined {
    const d = this.definedCode(space, code);
    if (d) return d;
    if (space !== "dhcp" && space !== "dhcp6") return undefined;
    const s = stdOptionByCode(space, code);
    return s ? this.lookupAny(space, s.isc) : undefined;
  }

  private standard(space: string, name: string): StdOption | undefined {
    return space === "dhcp" || space === "dhcp6" ? stdOption(space, name) : undefined;
  }
}
