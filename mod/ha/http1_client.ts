/**
 * A lean HTTP/1.1 client for the HA partner link over plain TCP (Kea's HA hook keeps persistent HTTP/1.1
 * connections to its partner; RFC 9112). Every lease update is one POST, and under load there are
 * thousands a second: `fetch` costs a Request, a Headers object, body and response streams and an abort signal per
 * call, and opens a new connection for every request in flight. This client writes the whole request with one
 * write, parses the status line, the headers and a `Content-Length` or chunked body from the bytes it reads, and
 * keeps its connections open for the next request: at most `maxConnections` at once; further requests wait in
 * order for a free one. A reused connection the server closed meanwhile (keep-alive timeout) is detected when it
 * answers nothing, and the request is sent again once on a new connection.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();
const CRLFCRLF = [13, 10, 13, 10];

/** One answer: the status code, its reason phrase and the body as text. */
export interface Http1Response {
  status: number;
  statusText: string;
  body: string;
}

/** Options of an {@link Http1Client}. */
export interface Http1ClientOptions {
  /** connections kept at most (default 64) */
  maxConnections?: number;
}

class Conn {
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

function indexOfSeq(b: Uint8Array, seq: number[], from = 0): number {
  outer: for (let i = from; i + seq.length <= b.length; i++) {
    for (let k = 0; k < seq.length; k++) if (b[i + k] !== seq[k]) continue outer;
    return i;
  }
  return -1;
}

/** The connection ended before a whole answer was read; `none` = not one byte of it arrived. */
class ClosedEarly extends Error {
  constructor(readonly none: boolean) {
    super(none ? "the connection was closed before an answer" : "the connection was closed in the middle of an answer");
  }
}

/** See the module comment. */
export class Http1Client {
  readonly #host: string;
  readonly #port: number;
  readonly #hostHeader: string;
  readonly #path: string;
  readonly #max: number;
  readonly #idle: Conn[] = [];
  readonly #queue: (() => void)[] = [];
  #open = 0;
  #closed = false;

  /** A client of the `http://` URL `url` (its host, port and path). */
  constructor(url: string, opts: Http1ClientOptions = {}) {
    const u = new URL(url);
    if (u.protocol !== "http:") throw new Error(`Http1Client speaks plain http only, not ${u.protocol} (${url})`);
    this.#host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
    this.#port = u.port ? Number(u.port) : 80;
    this.#hostHeader = u.host;
    this.#path = (u.pathname || "/") + u.search;
    this.#max = Math.max(1, opts.maxConnections ?? 64);
  }

  /**
   * POSTs `body` with the extra `headers` and resolves with the answer. Rejects on a connection failure, when the
   * answer is not HTTP/1.x, or after `timeoutMs` without a whole answer (the connection is then dropped).
   */
  async post(body: string, headers: Record<string, string>, timeoutMs: number): Promise<Http1Response> {
    const payload = enc.encode(body);
    let head = `POST ${this.#path} HTTP/1.1\r\nhost: ${this.#hostHeader}\r\ncontent-length: ${payload.length}\r\n`;
    for (const k in headers) head += `${k}: ${headers[k]}\r\n`;
    const h = enc.encode(head + "\r\n");
    const req = new Uint8Array(h.length + payload.length);
    req.set(h);
    req.set(payload, h.length);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    let current: Conn | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        current?.close();
        const e = new Error(`no answer within ${timeoutMs} ms`);
        e.name = "TimeoutError";
        reject(e);
      }, timeoutMs);
    });
    deadline.catch(() => {});
    const run = async (): Promise<Http1Response> => {
      for (let attempt = 0;; attempt++) {
        const { conn, reused } = await this.#acquire(attempt > 0);
        current = conn;
        if (timedOut) {
          this.#release(conn);
          throw new Error("timed out");
        }
        try {
          await writeAll(conn.tcp, req);
          const res = await readResponse(conn);
          if (res.keepAlive && !timedOut) this.#release(conn);
          else this.#drop(conn);
          return res.response;
        } catch (e) {
          this.#drop(conn);
          // a kept-alive connection the server had closed: send once more on a fresh one
          if (reused && attempt === 0 && !timedOut && (e instanceof ClosedEarly ? e.none : isReset(e))) {
            this.#dropIdle(); // the peer went away (restart, keep-alive timeout): its other idle connections too
            continue;
          }
          throw e;
        }
      }
    };
    try {
      return await Promise.race([run(), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #acquire(fresh: boolean): Promise<{ conn: Conn; reused: boolean }> {
    for (;;) {
      if (this.#closed) throw new Error("the HTTP client is closed");
      const idle = fresh ? undefined : this.#idle.pop();
      if (idle) return { conn: idle, reused: true };
      if (this.#open < this.#max) {
        this.#open++;
        try {
          const tcp = await Deno.connect({ hostname: this.#host, port: this.#port });
          tcp.setNoDelay(true);
          return { conn: new Conn(tcp), reused: false };
        } catch (e) {
          this.#open--;
          this.#next();
          throw e;
        }
      }
      await new Promise<void>((r) => this.#queue.push(r));
    }
  }

  #release(conn: Conn): void {
    if (this.#closed) return this.#drop(conn);
    this.#idle.push(conn);
    this.#next();
  }

  #drop(conn: Conn): void {
    conn.close();
    this.#open--;
    this.#next();
  }

  #next(): void {
    this.#queue.shift()?.();
  }

  #dropIdle(): void {
    for (const c of this.#idle.splice(0)) this.#drop(c);
  }

  /** Closes every idle connection and refuses new requests; requests in flight finish or fail. */
  close(): void {
    this.#closed = true;
    this.#dropIdle();
    for (const w of this.#queue.splice(0)) w();
  }
}

function isReset(e: unknown): boolean {
  return e instanceof Deno.errors.ConnectionReset || e instanceof Deno.errors.BrokenPipe ||
    e instanceof Deno.errors.ConnectionAborted;
}

async function writeAll(tcp: Deno.TcpConn, data: Uint8Array): Promise<void> {
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

/** Reads one HTTP/1.x answer (RFC 9112 §6: Content-Length, chunked, or up to the end of the connection). */
async function readResponse(conn: Conn): Promise<{ response: Http1Response; keepAlive: boolean }> {
  let end: number;
  while ((end = indexOfSeq(conn.buf, CRLFCRLF)) < 0) {
    if (conn.buf.length > 65536) throw new Error("the answer's head is larger than 64 KiB");
    if (!(await conn.more())) throw new ClosedEarly(conn.buf.length === 0);
  }
  const lines = dec.decode(conn.take(end + 4)).split("\r\n");
  const m = /^HTTP\/1\.(\d) (\d{3}) ?(.*)$/.exec(lines[0]);
  if (!m) throw new Error(`the answer is not HTTP/1.x: ${JSON.stringify(lines[0].slice(0, 60))}`);
  let length = -1, chunked = false, close = m[1] === "0";
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(":");
    if (c < 0) continue;
    const name = lines[i].slice(0, c).trim().toLowerCase(), value = lines[i].slice(c + 1).trim().toLowerCase();
    if (name === "content-length") length = Number(value);
    else if (name === "transfer-encoding") chunked = value.includes("chunked");
    else if (name === "connection") close = value.includes("close");
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
  return { response: { status: Number(m[2]), statusText: m[3], body: dec.decode(body) }, keepAlive: !close };
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
