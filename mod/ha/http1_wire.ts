/**
 * The HTTP/1.1 wire of the HA partner link's client (RFC 9112): one connection's byte buffer, reading one answer
 * (status line, headers, a `Content-Length`, chunked or close-delimited body), and writing a request whole.
 * Shared by {@link Http1Client} (one request at a time per connection) and the pipelined connections of
 * http1_pipeline.ts.
 */

const dec = new TextDecoder();
const CRLFCRLF = [13, 10, 13, 10];

/** One answer: the status code, its reason phrase and the body as text. */
export interface Http1Response {
  status: number;
  statusText: string;
  body: string;
}

/** A connection and the bytes read from it but not yet parsed. */
export class Conn {
  buf = new Uint8Array(0);
  readonly #chunk = new Uint8Array(16384);
  constructor(readonly tcp: Deno.TcpConn) {}

  /** Reads more bytes into `buf`; false at end of stream. */
  async more(): Promise<boolean> {
    const n = await this.tcp.read(this.#chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.buf.length + n);
    next.set(this.buf);
    next.set(this.#chunk.subarray(0, n), this.buf.length);
    this.buf = next;
    return true;
  }

  take(n: number): Uint8Array {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  close(): void {
    try {
      this.tcp.close();
    } catch { /* already closed */ }
  }
}

/** The first index of the byte sequence `seq` in `b` at or after `from`; -1 when absent. */
export function indexOfSeq(b: Uint8Array, seq: number[], from = 0): number {
  outer: for (let i = from; i + seq.length <= b.length; i++) {
    for (let k = 0; k < seq.length; k++) if (b[i + k] !== seq[k]) continue outer;
    return i;
  }
  return -1;
}

/** The connection ended before a whole answer was read; `none` = not one byte of it arrived. */
export class ClosedEarly extends Error {
  constructor(readonly none: boolean) {
    super(none ? "the connection was closed before an answer" : "the connection was closed in the middle of an answer");
  }
}

/** A reset or broken connection (the peer closed it). */
export function isReset(e: unknown): boolean {
  return e instanceof Deno.errors.ConnectionReset || e instanceof Deno.errors.BrokenPipe ||
    e instanceof Deno.errors.ConnectionAborted;
}

/** Writes all of `data`. */
export async function writeAll(tcp: Deno.TcpConn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await tcp.write(data.subarray(off));
}

/**
 * The largest answer read from a partner (head or body): a lease update's answer is a few hundred bytes and a
 * lease4-get-page of Kea's largest page a few MiB, so a partner (or whoever holds its address) sending more is
 * cut off instead of filling memory.
 */
export const MAX_ANSWER_BYTES = 64 << 20;

function tooLarge(): Error {
  return new Error(`the answer is larger than ${MAX_ANSWER_BYTES} bytes`);
}

/**
 * Reads one HTTP/1.x answer (RFC 9112 §6: Content-Length, chunked, or up to the end of the connection); `pipelining`
 * = the answer carried `x-weka-pipelining: 1` (the server handles pipelined requests at once, http_conn.ts).
 */
export async function readResponse(
  conn: Conn,
): Promise<{ response: Http1Response; keepAlive: boolean; pipelining: boolean }> {
  let end: number;
  while ((end = indexOfSeq(conn.buf, CRLFCRLF)) < 0) {
    if (conn.buf.length > 65536) throw new Error("the answer's head is larger than 64 KiB");
    if (!(await conn.more())) throw new ClosedEarly(conn.buf.length === 0);
  }
  const lines = dec.decode(conn.take(end + 4)).split("\r\n");
  const m = /^HTTP\/1\.(\d) (\d{3}) ?(.*)$/.exec(lines[0]);
  if (!m) throw new Error(`the answer is not HTTP/1.x: ${JSON.stringify(lines[0].slice(0, 60))}`);
  let length = -1, chunked = false, close = m[1] === "0", pipelining = false;
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(":");
    if (c < 0) continue;
    const name = lines[i].slice(0, c).trim().toLowerCase(), value = lines[i].slice(c + 1).trim().toLowerCase();
    if (name === "content-length") length = Number(value);
    else if (name === "transfer-encoding") chunked = value.includes("chunked");
    else if (name === "connection") close = value.includes("close");
    else if (name === "x-weka-pipelining") pipelining = value === "1";
  }
  let body: Uint8Array;
  if (chunked) body = await readChunked(conn);
  else if (length >= 0) {
    if (length > MAX_ANSWER_BYTES) throw tooLarge();
    while (conn.buf.length < length) if (!(await conn.more())) throw new ClosedEarly(false);
    body = conn.take(length).slice();
  } else {
    while (await conn.more()) if (conn.buf.length > MAX_ANSWER_BYTES) throw tooLarge();
    body = conn.take(conn.buf.length);
    close = true;
  }
  return {
    response: { status: Number(m[2]), statusText: m[3], body: dec.decode(body) },
    keepAlive: !close,
    pipelining,
  };
}

async function readChunked(conn: Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let eol: number;
    while ((eol = indexOfSeq(conn.buf, [13, 10])) < 0) if (!(await conn.more())) throw new ClosedEarly(false);
    const size = parseInt(dec.decode(conn.take(eol + 2)), 16);
    if (!Number.isFinite(size)) throw new Error("bad chunk size in the answer");
    if (total + size > MAX_ANSWER_BYTES) throw tooLarge();
    if (size === 0) {
      // trailers, up to an empty line
      for (;;) {
        while ((eol = indexOfSeq(conn.buf, [13, 10])) < 0) if (!(await conn.more())) throw new ClosedEarly(false);
        if (conn.take(eol + 2).length === 2) break;
      }
      break;
    }
    while (conn.buf.length < size + 2) if (!(await conn.more())) throw new ClosedEarly(false);
    parts.push(conn.take(size).slice());
    conn.take(2);
    total += size;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
