/**
 * The syntax tree of a Kea classification expression. Every node is typed at parse time, as Kea's grammar
 * (`src/lib/eval/parser.yy`) separates boolean expressions (`==`, `and`, `or`, `not`, `.exists`, `member`) from
 * string expressions (literals, option and packet fields, string functions); a `test` must be boolean. String
 * values are byte strings (one JS char per byte, 0..255).
 */

/** The packet fields Kea names `pkt4.<field>` and `pkt.<field>`. */
export type Pkt4Field = "mac" | "hlen" | "htype" | "ciaddr" | "giaddr" | "yiaddr" | "siaddr" | "msgtype" | "transid";
export type PktField = "iface" | "src" | "dst" | "len";

/** The DHCPv6 packet fields Kea names `pkt6.<field>`. */
export type Pkt6Field = "msgtype" | "transid";

/** The relay message fields Kea names `relay6[n].<field>` (RFC 8415 §9.1). */
export type Relay6Field = "peeraddr" | "linkaddr";

/** `vendor[…]` (vendor-specific information, DHCPv4 125 / DHCPv6 17) or `vendor-class[…]` (DHCPv4 124 / DHCPv6 16). */
export type VendorKind = "vendor" | "vendor-class";

/** The integer-to-text conversions (`uint8totext` … `int32totext`). */
export type IntToText = "uint8" | "uint16" | "uint32" | "int8" | "int16" | "int32";

/** A string-valued expression. */
export type StrExpr =
  | { t: "lit"; value: string }
  | { t: "option"; code: number; repr: "hex" | "text" }
  | { t: "relay4"; code: number }
  | { t: "pkt4"; field: Pkt4Field }
  | { t: "pkt"; field: PktField }
  | { t: "substring"; str: StrExpr; start: number; len: number | "all" }
  | { t: "concat"; a: StrExpr; b: StrExpr }
  | { t: "ifelse"; cond: BoolExpr; a: StrExpr; b: StrExpr }
  | { t: "hexstring"; str: StrExpr; sep: StrExpr }
  | { t: "split"; str: StrExpr; sep: StrExpr; field: number }
  | { t: "case"; upper: boolean; str: StrExpr }
  | { t: "inttotext"; kind: IntToText; str: StrExpr }
  | { t: "addrtotext"; str: StrExpr }
  | { t: "pkt6"; field: Pkt6Field }
  | { t: "relay6"; nest: number; code: number; repr: "hex" | "text" }
  | { t: "relay6field"; nest: number; field: Relay6Field }
  /** `vendor[*].enterprise`, `vendor[E].option[c].hex|text`, `vendor-class[*].enterprise`, `vendor-class[E].data[i]` */
  | {
    t: "vendor";
    kind: VendorKind;
    enterprise: number | "*";
    field: "enterprise" | "option" | "data";
    code?: number;
    /** for `vendor[E].option[c].hex|text` */
    repr?: "hex" | "text";
    index?: number;
  };

/** A boolean-valued expression. */
export type BoolExpr =
  | { t: "eq"; a: StrExpr; b: StrExpr }
  | { t: "not"; e: BoolExpr }
  | { t: "and" | "or"; a: BoolExpr; b: BoolExpr }
  | { t: "exists"; code: number }
  | { t: "relay4exists"; code: number }
  | { t: "member"; name: string }
  | { t: "relay6exists"; nest: number; code: number }
  /** `vendor[E].exists`, `vendor[E].option[c].exists`, `vendor-class[E].exists` */
  | { t: "vendorexists"; kind: VendorKind; enterprise: number | "*"; code?: number };

/** A parsed `test`: the boolean tree, plus the class names it refers to through `member()`/`known`/`unknown`. */
export interface ParsedTest {
  expr: BoolExpr;
  /** class names referred to, in order of first appearance */
  members: string[];
}
