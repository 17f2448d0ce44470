/**
 * A LogTape sink writing Kea-style lines to a file, with Kea's `output-options` semantics: `flush` true writes
 * every line at once (a write(2), never an fsync: Kea's "flush" empties its buffer, it does not sync the disk);
 * `flush` false batches lines up to 8 KiB. With `maxsize` > 0 the file is rotated like Kea's: FILE → FILE.1 →
 * … → FILE.<maxver>. The file is opened in append mode and created when missing.
 */
import type { LogRecord, Sink } from "@logtape/logtape";

export interface FileSinkOptions {
  formatter: (r: LogRecord) => string;
  flush: boolean;
  /** rotate when the file would grow past this many bytes; 0 = never */
  maxsize: number;
  /** rotated copies to keep */
  maxver: number;
}

/** Creates the sink; it is disposable (LogTape's `dispose()` closes it after writing what is buffered). */
export function keaFileSink(path: string, opts: FileSinkOptions): Sink & Disposable {
  const enc = new TextEncoder();
  let file = Deno.openSync(path, { append: true, create: true });
  let size = file.statSync().size;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;

  const rotate = () => {
    file.close();
    for (let i = opts.maxver; i >= 1; i--) {
      try {
        Deno.renameSync(i === 1 ? path : `${path}.${i - 1}`, `${path}.${i}`);
      } catch { /* that copy does not exist yet */ }
    }
    file = Deno.openSync(path, { append: true, create: true });
    size = 0;
  };
  const writeOut = () => {
    if (!pendingBytes) return;
    const all = new Uint8Array(pendingBytes);
    let off = 0;
    for (const p of pending) {
      all.set(p, off);
      off += p.length;
    }
    pending = [];
    pendingBytes = 0;
    if (opts.maxsize > 0 && size + all.length > opts.maxsize && size > 0) rotate();
    let done = 0;
    while (done < all.length) done += file.writeSync(all.subarray(done));
    size += all.length;
  };
  const sink = ((record: LogRecord) => {
    const line = enc.encode(opts.formatter(record));
    pending.push(line);
    pendingBytes += line.length;
    if (opts.flush || pendingBytes >= 8192) writeOut();
  }) as Sink & Disposable;
  sink[Symbol.dispose] = () => {
    writeOut();
    file.close();
  };
  return sink;
}
