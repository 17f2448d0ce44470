/**
 * Option encapsulation at configuration time (Kea `CfgOption::encapsulate`): the `option-data` of one scope that
 * belong to an option space other than dhcp4 become sub-options of the dhcp4 option of the same scope whose
 * definition encapsulates that space (a custom `option-def` with `encapsulate`, or a standard one such as 43 →
 * "vendor-encapsulated-options-space"). The sub-options are laid after the option's own data as code/length/value
 * triplets, in code order, as Kea packs them; spaces nest.
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

/**
 * Lays the scope's sub-options into the dhcp4 options that encapsulate their space (Kea: each option of the
 * dhcp4 space gets the options of its encapsulated space as sub-options, recursively, within one configuration
 * scope). A sub-option payload over 255 bytes is a problem at its path; a non-dhcp4 entry that no option of the
 * scope carries is accepted, as Kea accepts it, with a warning that it is never sent.
 */
export function encapsulate4(
  top: Map<number, OptionValue>,
  topDefs: Map<number, OptionDefLike>,
  subs: SubOptions,
  problems: Problems,
): void {
  if (subs.size === 0) return;
  const used = new Set<PendingSubOption>();
  const suboptionsOf = (space: string | undefined, seen: Set<string>): Uint8Array[] => {
    const m = space !== undefined && !seen.has(space) ? subs.get(space) : undefined;
    if (!m) return [];
    const inner = new Set(seen).add(space!);
    const out: Uint8Array[] = [];
    for (const code of [...m.keys()].sort((a, b) => a - b)) {
      const s = m.get(code)!;
      used.add(s);
      const payload = concatBytes([s.data, ...suboptionsOf(s.def?.encapsulate, inner)]);
      if (payload.length > 255) {
        problems.add(
          [...s.path, "data"],
          `sub-option ${code} of space '${space}' is ${payload.length} bytes, over 255`,
        );
        continue;
      }
      out.push(Uint8Array.of(code, payload.length), payload);
    }
    return out;
  };
  for (const [code, o] of top) {
    const parts = suboptionsOf(topDefs.get(code)?.encapsulate, new Set(["dhcp4"]));
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
