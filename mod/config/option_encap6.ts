/**
 * Option encapsulation of a Dhcp6 scope (Kea `CfgOption::encapsulate` for DHCPv6): the `option-data` of a space
 * other than dhcp6 become sub-options of the scope's dhcp6 option whose definition encapsulates that space. DHCPv6
 * sub-options carry a two-byte code and a two-byte length (RFC 8415 §21.1), laid after the option's own data in
 * code order; spaces nest. Option 17 (vendor-opts) carries the space `vendor-<enterprise-id>` of its data. The
 * packing is option_encap4.ts's `encapsulateWith`, with these rules.
 */

import { type EncapRules, type Encapsulate, encapsulateWith } from "./option_encap4.ts";

const RULES6: EncapRules = {
  topSpace: "dhcp6",
  width: 2,
  tooLong: (code, space) => `sub-option ${code} of space '${space}' is over 65535 bytes`,
  blameCarrier: true,
  // vendor-opts (17, RFC 8415 §21.17) carries the options of space "vendor-<enterprise-id>", as Kea packs them
  carriedSpace: (code, o) =>
    code === 17 && o.data.length >= 4
      ? `vendor-${((o.data[0] << 24) | (o.data[1] << 16) | (o.data[2] << 8) | o.data[3]) >>> 0}`
      : undefined,
};

/**
 * Lays the scope's sub-options into the dhcp6 options that encapsulate their space, recursively (Kea packs each
 * option's encapsulated space as its sub-options). A payload over 65535 bytes is a problem at its path; an entry
 * that no option of the scope carries is accepted, as Kea accepts it, with a warning that it is never sent.
 */
export const encapsulate6: Encapsulate = (top, topDefs, subs, problems) =>
  encapsulateWith(RULES6, top, topDefs, subs, problems);
