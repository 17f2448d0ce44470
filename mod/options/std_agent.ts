/**
 * Kea's sub-option definitions for the Relay Agent Information option (82), space "dhcp-agent-options-space"
 * (RFC 3046 and successors; Kea `std_option_defs.h`, DHCP_AGENT_OPTION_DEFINITIONS). Facts only.
 */
import type { OptionDef } from "./types.ts";

type Row = [name: string, code: number, type: OptionDef["type"]];

const ROWS: Row[] = [
  ["circuit-id", 1, "binary"], // RFC 3046
  ["remote-id", 2, "binary"], // RFC 3046
  ["docsis-device-class", 4, "uint32"], // RFC 3256
  ["link-selection", 5, "ipv4-address"], // RFC 3527
  ["subscriber-id", 6, "string"], // RFC 3993
  ["radius", 7, "binary"], // RFC 4014
  ["auth", 8, "binary"], // RFC 4030
  ["vendor-specific-info", 9, "binary"], // RFC 4243
  ["relay-flags", 10, "uint8"], // RFC 5010
  ["server-id-override", 11, "ipv4-address"], // RFC 5107
  ["relay-id", 12, "binary"], // RFC 6925
  ["access-techno-type", 13, "uint16"], // RFC 7839
  ["access-network-name", 14, "string"],
  ["access-point-name", 15, "string"],
  ["access-point-bssid", 16, "binary"],
  ["operator-id", 17, "uint32"],
  ["operator-realm", 18, "string"],
  ["relay-port", 19, "uint16"], // RFC 8357
  ["virtual-subnet-select", 151, "binary"], // RFC 6607
  ["virtual-subnet-select-ctrl", 152, "empty"],
];

/** The "dhcp-agent-options-space" table (option 82 sub-options), in code order. */
export const AGENT_OPTION_DEFS: readonly OptionDef[] = Object.freeze(
  ROWS.map(([name, code, type]) =>
    Object.freeze({ name, code, type, array: false, space: "dhcp-agent-options-space" })
  ),
);
