/**
 * Option encapsulation of a Dhcp6 scope (Kea `CfgOption::encapsulate` for DHCPv6): the `option-data` of a space
 * other than dhcp6 become sub-options of the scope's dhcp6 option whose definition encapsulates that space. DHCPv6
 * sub-options carry a two-byte code and a two-byte length (RFC 8415 §21.1), laid after the option's own data in
 * code order; spaces nest. Option 17 (vendor-opts) carries the space `vendor-<enterprise-id>` of its data.
 */

import type { JsonPath, Problems } from "./errors.ts";
import type { OptionValue } from "./model.ts";
import type { OptionDefLike } from "./option_codec.ts";
import type { PendingSubOption, SubOptions } from "./option_encap4.ts";
import { concatBytes } from "../wire/bytes.ts";

/**
 * Lays the scope's sub-options into the dhcp6 options that encapsulate their space, recursively (Kea packs each
 * option's encapsulated space as its sub-options). A payload over 65535 bytes is a problem at its path; an entry
 * that no option of the scope carries is accepted, as Kea accepts it, with a warning that it is never sent.
 */
export function encapsulate6(
  top: Map<number, OptionValue>,
  topDefs: Map<number, OptionDefLike>,
  subs: SubOptions,
  problems: Problems,
): void {
  if (subs.size === 0) return;
  const used = new Set<PendingSubOption>();
  const header = (code: number, len: number) => Uint8Array.of(code >> 8, code & 255, len >> 8, len & 255);
  const suboptionsOf = (space: string | undefined, seen: Set<string>, path?: JsonPath): Uint8Array[] => {
    const m = space !== undefined && !seen.has(space) ? subs.get(space) : undefined;
    if (!m) return [];
    const inner = new Set(seen).add(space!);
    const out: Uint8Array[] = [];
    for (const code of [...m.keys()].sort((a, b) => a - b)) {
      const s = m.get(code)!;
      used.add(s);
      const payload = concatBytes([s.data, ...suboptionsOf(s.def?.encapsulate, inner, s.path)]);
      if (payload.length > 65535) {
        problems.add([...(path ?? s.path), "data"], `sub-option ${code} of space '${space}' is over 65535 bytes`);
        continue;
      }
      out.push(header(code, payload.length), payload);
    }
    return out;
  };
  for (const [code, o] of top) {
    // vendor-opts (17, RFC 8415 §21.17) carries the options of space "vendor-<enterprise-id>", as Kea packs them
    const vendor = code === 17 && o.data.length >= 4
      ? `vendor-${((o.data[0] << 24) | (o.data[1] << 16) | (o.data[2] << 8) | o.data[3]) >>> 0}`
      : undefined;
    const parts = suboptionsOf(vendor ?? topDefs.get(code)?.encapsulate, new Set(["dhcp6"]));
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
