/**
 * Option encapsulation at configuration time (Kea `CfgOption::encapsulate`): the `option-data` of one scope that
 * belong to an option space other than dhcp4 become sub-options of the dhcp4 option of the same scope whose
 * definition encapsulates that space (a custom `option-def` with `encapsulate`, or a standard one such as 43 →
 * "vendor-encapsulated-options-space"). The sub-options are laid after the option's own data as code/length/value
 * triplets, in code order, as Kea packs them; spaces nest. The packing itself is shared with DHCPv6
 * (option_encap6.ts), which differs only in the width of code and length and in option 17's vendor space.
 */

import type { JsonPath, Problems } from "./errors.ts";
import type { OptionValue } from "./model.ts";
import type { OptionDefLike } from "./option_codec.ts";
import { concatBytes } from "../wire/bytes.ts";

/** One encoded option-data entry of a non-dhcp4 space, waiting for the option that carries it. */
export interface PendingSubOption {
  code: number;
  data: Uint8Array;
  def?: OptionDefLike;
  /** the option-data entry, for messages */
  path: JsonPath;
}

/** A scope's non-dhcp4 option-data, by space and then by code (a later entry replaces an earlier one). */
export type SubOptions = Map<string, Map<number, PendingSubOption>>;

/** Records one non-dhcp4 option-data entry of a scope. */
export function addSubOption(subs: SubOptions, space: string, sub: PendingSubOption): void {
  let m = subs.get(space);
  if (!m) subs.set(space, m = new Map());
  m.set(sub.code, sub);
}

/** Packs a scope's sub-options into its top-level options (encapsulate4, encapsulate6). */
export type Encapsulate = (
  top: Map<number, OptionValue>,
  topDefs: Map<number, OptionDefLike>,
  subs: SubOptions,
  problems: Problems,
) => void;

/** What differs between the DHCPv4 and DHCPv6 packing of sub-options. */
export interface EncapRules {
  /** the top-level space of the scope's options ("dhcp4" / "dhcp6") */
  topSpace: string;
  /** bytes of the sub-option code and of its length (1 for DHCPv4, 2 for DHCPv6) */
  width: 1 | 2;
  /** the message for a sub-option whose payload is over 255 / 65535 bytes */
  tooLong: (code: number, space: string, length: number) => string;
  /** report an over-long nested sub-option at the entry of the sub-option that carries it (DHCPv6) */
  blameCarrier: boolean;
  /** the space a top-level option carries regardless of its definition (DHCPv6 option 17), when any */
  carriedSpace?: (code: number, o: OptionValue) => string | undefined;
}

/**
 * Lays a scope's sub-options into the top-level options whose definition (or `rules.carriedSpace`) names their
 * space, recursively (Kea packs each option's encapsulated space as its sub-options, within one configuration
 * scope). A payload over the width's limit is a problem; an entry that no option of the scope carries is
 * accepted, as Kea accepts it, with a warning that it is never sent.
 */
export function encapsulateWith(
  rules: EncapRules,
  top: Map<number, OptionValue>,
  topDefs: Map<number, OptionDefLike>,
  subs: SubOptions,
  problems: Problems,
): void {
  if (subs.size === 0) return;
  const max = rules.width === 1 ? 255 : 65535;
  const header = (code: number, len: number) =>
    rules.width === 1 ? Uint8Array.of(code, len) : Uint8Array.of(code >> 8, code & 255, len >> 8, len & 255);
  const used = new Set<PendingSubOption>();
  const suboptionsOf = (space: string | undefined, seen: Set<string>, carrier?: JsonPath): Uint8Array[] => {
    const m = space !== undefined && !seen.has(space) ? subs.get(space) : undefined;
    if (!m) return [];
    const inner = new Set(seen).add(space!);
    const out: Uint8Array[] = [];
    for (const code of [...m.keys()].sort((a, b) => a - b)) {
      const s = m.get(code)!;
      used.add(s);
      const payload = concatBytes([s.data, ...suboptionsOf(s.def?.encapsulate, inner, s.path)]);
      if (payload.length > max) {
        const at = rules.blameCarrier ? carrier ?? s.path : s.path;
        problems.add([...at, "data"], rules.tooLong(code, space!, payload.length));
        continue;
      }
      out.push(header(code, payload.length), payload);
    }
    return out;
  };
  for (const [code, o] of top) {
    const space = rules.carriedSpace?.(code, o) ?? topDefs.get(code)?.encapsulate;
    const parts = suboptionsOf(space, new Set([rules.topSpace]));
    if (parts.length) top.set(code, { ...o, data: concatBytes([o.data, ...parts]) });
  }
  for (const [space, m] of subs) {
    for (const s of m.values()) {
      if (used.has(s)) continue;
      problems.warn(
        s.path,
        `option ${s.code} of space '${space}' is never sent: no option-data of this scope encapsulates '${space}'`,
      );
    }
  }
}

const RULES4: EncapRules = {
  topSpace: "dhcp4",
  width: 1,
  tooLong: (code, space, length) => `sub-option ${code} of space '${space}' is ${length} bytes, over 255`,
  blameCarrier: false,
};

/**
 * Lays the scope's sub-options into the dhcp4 options that encapsulate their space (Kea: each option of the
 * dhcp4 space gets the options of its encapsulated space as sub-options, recursively, within one configuration
 * scope). A sub-option payload over 255 bytes is a problem at its path; a non-dhcp4 entry that no option of the
 * scope carries is accepted, as Kea accepts it, with a warning that it is never sent.
 */
export const encapsulate4: Encapsulate = (top, topDefs, subs, problems) =>
  encapsulateWith(RULES4, top, topDefs, subs, problems);
