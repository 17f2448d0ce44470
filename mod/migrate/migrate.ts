/**
 * `weka migrate` as a pure function: dhcpd.conf text in, Kea configuration text out, with the list of items
 * that could not be translated (keama's exit code counts them) and notes for the operator. Parsing stops at the
 * first error, as keama's does, with a MigrateError carrying file:line:column and the token.
 */

import { type Counts, type Issue, type MigrateOptions } from "./context.ts";
import { emitJson, type JObj, plain } from "./emit.ts";
import { parseDhcpdConf } from "./parser.ts";
import type { FileReader } from "./token_stream.ts";
import { translate } from "./translate.ts";
import type { Node } from "./ast.ts";

function countNodes(nodes: Node[]): number {
  let n = 0;
  for (const x of nodes) {
    if (x.k === "note") continue;
    n++;
    if ("body" in x) n += countNodes(x.body);
  }
  return n;
}

/** Everything a translation produces. */
export interface MigrateResult {
  /** the Kea configuration, JSON with `//` comments for untranslated parts */
  text: string;
  /** the same document as plain data (commented parts left out) */
  config: Record<string, unknown>;
  doc: JObj;
  /** the D2 configuration text (`{"DhcpDdns": …}`), when the input declares zones or keys */
  d2Text?: string;
  /** untranslated items; their number is the exit code */
  issues: Issue[];
  /** translated items the operator should check */
  notes: Issue[];
  counts: Counts;
  /** declarations, parameters and statements read from the input (includes followed): what the input uses */
  statements: number;
  /** the input's `#` comments (includes followed), each written into `text` as a `//` line */
  comments: { file: string; line: number; text: string }[];
}

/** Options of migrate(): the translation options plus where included files come from. */
export interface MigrateInput extends MigrateOptions {
  readFile?: FileReader;
  /** progress callback for big inputs (every 10 000 top-level statements) */
  onProgress?: (statements: number, line: number) => void;
}

/**
 * Translates a dhcpd.conf (keama's job, keama.c main()): parse the whole file (includes followed through
 * `readFile`), translate to Kea JSON, and return text plus diagnostics. Throws MigrateError on bad input.
 */
export function migrate(text: string, opts: MigrateInput): MigrateResult {
  const file = opts.file ?? "<stdin>";
  const parsed = parseDhcpdConf(text, { v6: opts.v6, file, readFile: opts.readFile, onProgress: opts.onProgress });
  const { doc, d2, ctx } = translate(parsed, { ...opts, file });
  return {
    text: emitJson(doc),
    d2Text: d2 ? emitJson(d2) : undefined,
    config: plain(doc) as Record<string, unknown>,
    doc,
    issues: ctx.issues,
    notes: ctx.notes,
    counts: ctx.counts,
    statements: countNodes(parsed.nodes),
    comments: parsed.comments,
  };
}
