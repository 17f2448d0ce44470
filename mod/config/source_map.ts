/**
 * Maps offsets in the expanded configuration text (after `<?include?>` expansion) back to the file, line and
 * column they came from, so every message points into the file the operator actually edits — as Kea's parser
 * does, whose locations name the included file.
 */

import type { SourceLoc } from "./errors.ts";

/** One run of output text copied from a source file: output [outStart, outStart+length) ← file at srcStart. */
export interface Segment {
  outStart: number;
  length: number;
  file: string;
  srcStart: number;
}

/** Offsets of the first character of every line of `text`. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/**
 * Segment map over an expanded text. Segments are recorded in output order as the preprocessor copies text;
 * `locate(offset)` turns an output offset into `file:line:col` (1-based). Offsets past the end map to the end
 * of the last segment (jsonc-parser reports "unexpected end of file" there).
 */
export class SourceMap {
  private readonly segments: Segment[] = [];
  private readonly lines = new Map<string, number[]>();

  /** Registers the full text of a source file so its line table can be built. */
  addFile(file: string, text: string): void {
    if (!this.lines.has(file)) this.lines.set(file, lineStarts(text));
  }

  /** Records that output [outStart, outStart+length) is file text starting at srcStart. */
  addSegment(seg: Segment): void {
    if (seg.length > 0) this.segments.push(seg);
  }

  /** The source files that make up the text, in the order they were first read. */
  files(): string[] {
    return [...this.lines.keys()];
  }

  /** Position in a source file from a line-table lookup. */
  position(file: string, srcOffset: number): SourceLoc {
    const starts = this.lines.get(file) ?? [0];
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= srcOffset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, col: srcOffset - starts[lo] + 1 };
  }

  /** Translates an offset in the expanded text into `file:line:col`. */
  locate(offset: number): SourceLoc {
    const segs = this.segments;
    if (segs.length === 0) return { file: this.files()[0] ?? "<config>", line: 1, col: 1 };
    let lo = 0, hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].outStart <= offset) lo = mid;
      else hi = mid - 1;
    }
    const s = segs[lo];
    const within = Math.max(0, Math.min(offset - s.outStart, s.length));
    return this.position(s.file, s.srcStart + within);
  }
}
