/**
 * Word lists of the dhcpd.conf parser (parser.ts): the executable statements of dhcp-eval(5) (`if`, `on`, `log`,
 * `set`, …), which Kea cannot express, and the statement keywords dhcpd's lexer matches whatever their case
 * (conflex.c intern() compares with strcasecmp).
 */

/** dhcpd's executable statements (dhcp-eval(5)) and the statements keama comments out like them. */
export const EXEC: ReadonlySet<string> = new Set([
  "if",
  "elsif",
  "else",
  "switch",
  "on",
  "execute",
  "log",
  "set",
  "unset",
  "define",
  "eval",
  "add",
  "break",
  "return",
  "remove",
  "supersede",
  "prepend",
  "append",
  "send",
  "fetch",
  "static",
  "ping",
  "local-address6",
]);

/** Statement keywords matched whatever their case, as dhcpd's lexer does. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  "allow",
  "deny",
  "ignore",
  "authoritative",
  "not",
  "option",
  "subnet",
  "host",
  "group",
  "pool",
]);
