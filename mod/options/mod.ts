/**
 * The options module's public surface: the DHCPv4 and DHCPv6 definition tables and their lookups, the `option-data`
 * codec, and the helpers the DHCPv4 engine needs for options 81 and 82.
 */
export { OptionDataError, type OptionDataType, type OptionDef, type RecordFieldType } from "./types.ts";
export { DHCP4_OPTION_DEFS } from "./std_dhcp4.ts";
export { AGENT_OPTION_DEFS } from "./std_agent.ts";
export { findOption4, listOptions4 } from "./lookup.ts";
export { DHCP6_OPTION_DEFS, DHCP6_SPACE_DEFS } from "./std_dhcp6.ts";
export { findOption6, isSpace6, listOptions6, listSpaces6 } from "./lookup6.ts";
export {
  checkOptionDef,
  isValidOptionName,
  OPTION_DEF_TYPES,
  OptionDefIndex,
  parseRecordTypes,
} from "./custom_defs.ts";
export { encodeOptionData, formatOptionData, splitCsv } from "./option_data.ts";
export { encodeRelayAgentInfo, parseRelayAgentInfo } from "./relay_agent_info.ts";
export { type ClientFqdn, encodeClientFqdn, type FqdnFlags, parseClientFqdn } from "./client_fqdn.ts";
export { encodeName, readName } from "./fqdn_wire.ts";
