/**
 * The syntax tree of a dhcpd.conf as the migrate parser builds it: declarations (subnet, shared-network,
 * group, pool, host, class, subclass, zone, key, failover peer) with their bodies, and parameters. Only what
 * the translator needs is structured; executable statements (if, switch, on, log, …) are kept as source text,
 * since Kea has no equivalent and they end up commented out (keama does the same).
 */

import type { Loc, Token } from "./lexer.ts";
import type { OptionValue } from "./option_data.ts";
import type { OptionInfo } from "./option_registry.ts";

/** A dhcpd expression (dhcpd's `expr_*` tree, reduced to the forms keama can translate). */
export type Expr =
  | { op: "const"; bytes: string; text: boolean } // a string (text) or a hex list
  | { op: "num"; value: number }
  | { op: "option"; space: string; name: string; code: number | undefined }
  | { op: "exists"; space: string; name: string; code: number | undefined }
  | { op: "hardware" }
  | { op: "null" }
  | { op: "eq" | "ne" | "and" | "or"; left: Expr; right: Expr }
  | { op: "not"; arg: Expr }
  | { op: "call"; name: string; args: Expr[] }
  | { op: "var"; name: string };

/** An option's declared format (dhcpd `option NAME code N = TYPE`), already mapped to Kea's vocabulary. */
export interface OptType {
  /** Kea type: uint8 … string, fqdn, record, empty, binary */
  type: string;
  array: boolean;
  recordTypes?: string[];
  encapsulate?: string;
  /** why Kea cannot take it as declared (the definition falls back to binary) */
  problem?: string;
}

/**
 * The input's `#` comments that belong to a node (keama keeps them): those above it, inside it when nothing else took
 * them and after it on its last line, in order; `tail` holds those before the closing brace of its body.
 */
export interface Commented {
  comments?: string[];
  tail?: string[];
}

/** A parsed declaration or parameter, with its comments. */
export type Node = Commented & NodeKind;

/** The declarations and parameters of a dhcpd.conf. */
export type NodeKind =
  | { k: "param"; name: string; args: Token[]; loc: Loc }
  | {
    k: "option";
    space: string;
    name: string;
    code?: number;
    info?: OptionInfo;
    value?: OptionValue;
    expr?: Expr;
    args: Token[];
    /** a `%` directive made the option unknown to Kea (keama kea_unknown): the data is commented out */
    keaUnknown?: boolean;
    loc: Loc;
  }
  | {
    k: "optiondef";
    space: string;
    name: string;
    code: number;
    def: OptType;
    /** the registry entry (its Kea name follows `% option … alias`, `local` drops the definition) */
    info?: OptionInfo;
    /** redefines an option whose status a `%` directive set: keama comments it out, Kea refuses redefinitions */
    redefined?: boolean;
    loc: Loc;
  }
  | { k: "optionspace"; name: string; codeWidth: number; lengthWidth: number; loc: Loc }
  | { k: "subnet"; v6: boolean; prefix: string; len: number; body: Node[]; loc: Loc }
  | { k: "shared"; name: string; body: Node[]; loc: Loc }
  | { k: "group"; name?: string; body: Node[]; loc: Loc }
  | { k: "pool"; v6: boolean; body: Node[]; loc: Loc }
  | { k: "range"; lo: string; hi: string; bootp: boolean; loc: Loc }
  | { k: "range6"; lo: string; hi?: string; len?: number; temporary: boolean; loc: Loc }
  | { k: "prefix6"; lo: string; hi: string; len: number; loc: Loc }
  | { k: "host"; name: string; body: Node[]; loc: Loc }
  | { k: "hardware"; htype: string; addr: string; loc: Loc }
  | { k: "fixed"; v6: boolean; prefix: boolean; addrs: string[]; loc: Loc }
  | { k: "hostid"; space: string; name: string; code?: number; value: string; loc: Loc }
  | { k: "uid"; hex: string; loc: Loc }
  | { k: "class"; name: string; body: Node[]; loc: Loc }
  | { k: "subclass"; superName: string; selector: Expr; body: Node[]; loc: Loc }
  | { k: "match"; cond?: Expr; data?: Expr; src: string; loc: Loc }
  | { k: "permit"; allow: boolean; what: string; loc: Loc }
  | { k: "interface"; name: string; loc: Loc }
  | {
    k: "zone";
    name: string;
    primary: string[];
    secondary: string[];
    primary6: string[];
    secondary6: string[];
    key?: string;
    loc: Loc;
  }
  | { k: "key"; name: string; algorithm?: string; secret?: string; loc: Loc }
  | { k: "failover"; name: string; fields: Record<string, string>; loc: Loc }
  | {
    k: "duid";
    type: "LLT" | "EN" | "LL";
    htype?: number;
    time?: number;
    identifier?: string;
    enterprise?: number;
    loc: Loc;
  }
  | { k: "stmt"; src: string; note: string; loc: Loc }
  /** `if … { … } elsif … { … } else { … }`: each branch's condition (none for else) and statements */
  | { k: "if"; branches: { cond?: Expr; body: Node[] }[]; src: string; loc: Loc }
  /** something for the operator to read (keama `% option … check;` prints it), translated into nothing */
  | { k: "note"; text: string; loc: Loc };

/** The whole file: the top-level nodes, the comments found (by line), and the file's header comments. */
export interface ConfFile {
  nodes: Node[];
  comments: { file: string; line: number; text: string }[];
  /** the comments at the top of the main file, apart from its first statement (keama puts them above the map) */
  header: string[];
  /** the comments after the last statement of the main file */
  trailer: string[];
}
