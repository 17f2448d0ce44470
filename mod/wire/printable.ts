/**
 * Client-controlled text made safe for a log line (docs/ARCHITECTURE.md rule 8, "client text escaped in logs"): a host name,
 * a vendor class, an NCR's FQDN or an exception message that quotes them can hold newlines (a forged second log
 * line), terminal escapes, bidirectional overrides or kilobytes of padding. Kea writes such text as received; weka
 * escapes it and caps its length, so one packet is always one bounded, printable log line. Pure.
 */

/** The longest client text put into a log line, in characters, before the cut marker. */
export const PRINTABLE_MAX = 128;

/**
 * Characters kept as they are: letters, marks, digits, punctuation, symbols and the plain space. Everything else
 * (C0/C1 controls and DEL, format characters such as U+202E, line and paragraph separators, surrogate halves,
 * private-use and unassigned code points, other spaces) is escaped, and so is the backslash that starts an escape.
 */
const UNSAFE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]|\\/gu;

function escapeOne(c: string): string {
  if (c === "\\") return "\\\\";
  const cp = c.codePointAt(0)!;
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, "0")}`;
  return `\\u{${cp.toString(16)}}`;
}

/** `text` cut to at most `max` characters, never between the halves of a surrogate pair. */
function head(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && (text.charCodeAt(max - 1) & 0xfc00) === 0xd800 ? max - 1 : max;
  return text.slice(0, end);
}

/** Escapes the unsafe characters of `text` (see {@link UNSAFE}); no cut. */
function escapeAll(text: string): string {
  return text.replace(UNSAFE, escapeOne);
}

/**
 * Escapes `text` for a log line: backslash → `\\`, a byte-sized control or invisible character → `\xNN`, any other
 * unsafe code point → `\u{N}` (see {@link UNSAFE}). Text longer than `max` characters is cut there and ends with
 * `...(+N chars)` saying how much was left out; escapes are made after the cut, so the result is at most a few
 * times `max` long whatever the input.
 */
export function printable(text: string, max = PRINTABLE_MAX): string {
  const h = head(text, max);
  const safe = escapeAll(h);
  return h.length < text.length ? `${safe}...(+${text.length - h.length} chars)` : safe;
}

const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true }); // a leading U+FEFF is shown (escaped), not dropped

/**
 * Escapes an option payload for a log line: the bytes read as UTF-8 (a byte that is not valid UTF-8 becomes
 * U+FFFD, which is printable), then {@link printable}. A payload longer than `max` characters is cut and ends with
 * `...(N bytes)` giving its whole size; at most `4 * max` bytes are ever decoded.
 */
export function printableBytes(bytes: Uint8Array, max = PRINTABLE_MAX): string {
  const text = UTF8.decode(bytes.subarray(0, max * 4));
  const h = head(text, max);
  const cut = h.length < text.length || bytes.length > max * 4;
  return cut ? `${escapeAll(h)}...(${bytes.length} bytes)` : escapeAll(h);
}

/**
 * An exception's text for a log line, escaped and cut at 512 characters: its message (or `Name: message` when
 * `withName`), or the thrown value itself when it is no Error. Exceptions in packet paths quote client text, and
 * their stack traces never go into a log line (issue 9: one packet, one line).
 */
export function errorText(e: unknown, withName = false): string {
  const text = e instanceof Error ? (withName ? `${e.name}: ${e.message}` : e.message) : String(e);
  return printable(text, 512);
}

/**
 * A list from a packet for a log line (addresses a CONFIRM or REBIND names, for instance): the first `max` items
 * joined by ", ", then `… (N in all)` when there are more, so a query listing thousands stays one short line.
 */
export function printableList(items: readonly string[], max = 8): string {
  const head = items.slice(0, max).join(", ");
  return items.length > max ? `${head}, ... (${items.length} in all)` : head;
}
