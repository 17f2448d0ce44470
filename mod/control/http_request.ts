/**
 * An incremental HTTP/1.1 request parser for the control and HA listeners (RFC 9112): bytes go in as they arrive,
 * complete requests come out. Everything a client sends is untrusted, so every part has a limit: the request line
 * and headers together (16 KiB, as most servers allow), the number of header fields, and the body (the control
 * channel's request size limit). Bodies are framed by `Content-Length` or `Transfer-Encoding: chunked`; a request
 * with both, a bad length or a bad chunk is an error with the status the server answers before it closes the
 * connection (RFC 9112 §6.3). Pure: no I/O, no clock.
 */

/** One parsed request. Header names are lower-case; a repeated header keeps its last value. */
export interface HttpRequest {
  method: string;
  /** the request target's path, without query or fragment ("/", "/metrics") */
  path: string;
  /** "HTTP/1.1" or "HTTP/1.0" */
  version: string;
  headers: Map<string, string>;
  body: Uint8Array;
  /** whether the connection stays open after the answer (HTTP/1.1 unless `Connection: close`; 1.0 with keep-alive) */
  keepAlive: boolean;
}

/** A request the parser refuses: the status to answer and why (the connection is closed after the answer). */
export class HttpParseError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "HttpParseError";
  }
}

/** Limits of one request. */
export interface ParserLimits {
  /** request line plus header fields, bytes */
  maxHeaderBytes: number;
  maxHeaders: number;
  /** decoded body, bytes */
  maxBodyBytes: number;
}

/** Default limits: 16 KiB of head, 64 header fields, 4 MiB of body (the control channel's request limit). */
export const DEFAULT_LIMITS: ParserLimits = { maxHeaderBytes: 16 << 10, maxHeaders: 64, maxBodyBytes: 4 << 20 };

/** What the parser waits for next. */
type Phase = "head" | "body" | "chunk-size" | "chunk-data" | "chunk-crlf" | "trailers" | "refused";

const CR = 13, LF = 10;
const latin1 = new TextDecoder("latin1");
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Index of "\r\n\r\n" in `b` at or after `from`, or -1. */
function headEnd(b: Uint8Array, from: number): number {
  for (let i = Math.max(from, 3); i < b.length; i++) {
    if (b[i] === LF && b[i - 1] === CR && b[i - 2] === LF && b[i - 3] === CR) return i + 1;
  }
  return -1;
}

/** Index just past the next "\r\n" at or after `from`, or -1. */
function lineEnd(b: Uint8Array, from: number, to: number): number {
  for (let i = from + 1; i < to; i++) if (b[i] === LF && b[i - 1] === CR) return i + 1;
  return -1;
}

/**
 * The parser of one connection. `push` appends received bytes; `next` returns the next complete request, or
 * undefined while more bytes are needed, or throws {@link HttpParseError}. Requests are returned in order, so a
 * pipelining client is served one request at a time.
 */
export class RequestParser {
  private buf = new Uint8Array(0);
  private pos = 0;
  private phase: Phase = "head";
  private scanFrom = 0;
  private head?: Omit<HttpRequest, "body">;
  private bodyLeft = 0;
  private chunks: Uint8Array[] = [];
  private bodySize = 0;
  /** a declared body over the limit: thrown by the next `next()`, after the head was seen (401 goes first) */
  private refusal?: HttpParseError;

  constructor(private readonly limits: ParserLimits = DEFAULT_LIMITS) {}

  /** Appends received bytes. */
  push(data: Uint8Array): void {
    if (this.pos === this.buf.length) {
      this.buf = data.slice();
      this.scanFrom -= this.pos;
      this.pos = 0;
      return;
    }
    const rest = this.buf.subarray(this.pos);
    const next = new Uint8Array(rest.length + data.length);
    next.set(rest);
    next.set(data, rest.length);
    this.scanFrom -= this.pos;
    this.buf = next;
    this.pos = 0;
  }

  /** True when bytes of a request not yet complete have arrived (a stalled client is then mid-request). */
  get midRequest(): boolean {
    return this.phase !== "head" || this.pos < this.buf.length;
  }

  /** The head of the request whose body is being read (for an early answer: 401, 413, 100-continue). */
  get pendingHead(): Omit<HttpRequest, "body"> | undefined {
    return this.phase === "head" ? undefined : this.head;
  }

  /** True when the pending request is refused already (its body is too large) and `next()` will say so. */
  get refused(): boolean {
    return this.phase === "refused";
  }

  /** The next complete request, undefined when more bytes are needed; throws HttpParseError. */
  next(): HttpRequest | undefined {
    while (true) {
      switch (this.phase) {
        case "refused":
          throw this.refusal!;
        case "head": {
          const end = headEnd(this.buf, Math.max(this.pos, this.scanFrom));
          if (end < 0) {
            if (this.buf.length - this.pos > this.limits.maxHeaderBytes) {
              throw new HttpParseError(431, `request head larger than ${this.limits.maxHeaderBytes} bytes`);
            }
            this.scanFrom = Math.max(this.pos, this.buf.length - 3);
            return undefined;
          }
          if (end - this.pos > this.limits.maxHeaderBytes) {
            throw new HttpParseError(431, `request head larger than ${this.limits.maxHeaderBytes} bytes`);
          }
          this.startBody(this.parseHead(latin1.decode(this.buf.subarray(this.pos, end - 4))));
          this.pos = end;
          this.scanFrom = end;
          if ((this.phase as Phase) === "refused") return undefined; // the head is seen first (pendingHead)
          break;
        }
        case "body": {
          const n = Math.min(this.bodyLeft, this.buf.length - this.pos);
          if (n > 0) this.take(n);
          if (this.bodyLeft > 0) return undefined;
          return this.finish();
        }
        case "chunk-size": {
          const end = lineEnd(this.buf, this.pos, this.buf.length);
          if (end < 0) {
            if (this.buf.length - this.pos > 1024) throw new HttpParseError(400, "chunk size line too long");
            return undefined;
          }
          const line = latin1.decode(this.buf.subarray(this.pos, end - 2));
          const hex = line.split(";")[0].trim();
          if (!/^[0-9a-fA-F]{1,8}$/.test(hex)) throw new HttpParseError(400, `bad chunk size '${hex.slice(0, 16)}'`);
          const size = parseInt(hex, 16);
          this.pos = end;
          if (this.bodySize + size > this.limits.maxBodyBytes) throw this.tooLarge();
          this.bodyLeft = size;
          this.phase = size === 0 ? "trailers" : "chunk-data";
          break;
        }
        case "chunk-data": {
          const n = Math.min(this.bodyLeft, this.buf.length - this.pos);
          if (n > 0) this.take(n);
          if (this.bodyLeft > 0) return undefined;
          this.phase = "chunk-crlf";
          break;
        }
        case "chunk-crlf": {
          if (this.buf.length - this.pos < 2) return undefined;
          if (this.buf[this.pos] !== CR || this.buf[this.pos + 1] !== LF) {
            throw new HttpParseError(400, "chunk data not followed by CRLF");
          }
          this.pos += 2;
          this.phase = "chunk-size";
          break;
        }
        case "trailers": {
          const end = lineEnd(this.buf, this.pos, this.buf.length);
          if (end < 0) {
            if (this.buf.length - this.pos > this.limits.maxHeaderBytes) {
              throw new HttpParseError(431, "trailer section too large");
            }
            return undefined;
          }
          const empty = end - this.pos === 2;
          this.pos = end;
          if (empty) return this.finish();
          break;
        }
      }
    }
  }

  private tooLarge(): HttpParseError {
    return new HttpParseError(
      413,
      `request too large: more than ${this.limits.maxBodyBytes} bytes (the limit of the control channel)`,
    );
  }

  private take(n: number): void {
    this.chunks.push(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    this.bodyLeft -= n;
    this.bodySize += n;
  }

  private parseHead(text: string): Omit<HttpRequest, "body"> {
    const lines = text.split("\r\n");
    const [method, target, version, extra] = lines[0].split(" ");
    if (!method || !TOKEN.test(method) || !target || extra !== undefined || !/^HTTP\/1\.[01]$/.test(version ?? "")) {
      throw new HttpParseError(400, "malformed request line");
    }
    if (lines.length - 1 > this.limits.maxHeaders) {
      throw new HttpParseError(431, `more than ${this.limits.maxHeaders} header fields`);
    }
    const headers = new Map<string, string>();
    for (let i = 1; i < lines.length; i++) {
      const colon = lines[i].indexOf(":");
      const name = colon > 0 ? lines[i].slice(0, colon) : "";
      if (!TOKEN.test(name)) throw new HttpParseError(400, "malformed header field");
      headers.set(name.toLowerCase(), lines[i].slice(colon + 1).trim());
    }
    const conn = headers.get("connection")?.toLowerCase() ?? "";
    const keepAlive = version === "HTTP/1.1" ? !conn.includes("close") : conn.includes("keep-alive");
    return { method, path: pathOf(target), version, headers, keepAlive };
  }

  private startBody(head: Omit<HttpRequest, "body">): void {
    this.head = head;
    this.chunks = [];
    this.bodySize = 0;
    const te = head.headers.get("transfer-encoding");
    const cl = head.headers.get("content-length");
    if (te !== undefined) {
      if (cl !== undefined) throw new HttpParseError(400, "both Transfer-Encoding and Content-Length");
      if (te.toLowerCase() !== "chunked") throw new HttpParseError(501, `transfer coding '${te}' not supported`);
      this.phase = "chunk-size";
      return;
    }
    if (cl !== undefined && !/^\d{1,12}$/.test(cl)) throw new HttpParseError(400, "bad Content-Length");
    this.bodyLeft = cl === undefined ? 0 : Number(cl);
    this.phase = "body";
    if (this.bodyLeft > this.limits.maxBodyBytes) {
      this.refusal = this.tooLarge();
      this.phase = "refused";
    }
  }

  private finish(): HttpRequest {
    let body: Uint8Array;
    if (this.chunks.length === 1) body = this.chunks[0].slice();
    else {
      body = new Uint8Array(this.bodySize);
      let off = 0;
      for (const c of this.chunks) {
        body.set(c, off);
        off += c.length;
      }
    }
    const req = { ...this.head!, body };
    this.head = undefined;
    this.chunks = [];
    this.phase = "head";
    if (this.pos === this.buf.length) {
      this.buf = new Uint8Array(0);
      this.pos = 0;
    }
    this.scanFrom = this.pos;
    return req;
  }
}

/** The path of a request target: origin form (`/path?q`) or absolute form (`http://host/path`), without query. */
export function pathOf(target: string): string {
  let start = 0;
  if (!target.startsWith("/")) {
    const scheme = target.indexOf("://");
    start = scheme < 0 ? -1 : target.indexOf("/", scheme + 3);
    if (start < 0) return "/";
  }
  const q = target.indexOf("?", start), h = target.indexOf("#", start);
  const end = Math.min(q < 0 ? target.length : q, h < 0 ? target.length : h);
  return target.slice(start, end) || "/";
}
