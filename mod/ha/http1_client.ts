/**
 * A lean HTTP/1.1 client for the HA partner link over plain TCP (Kea's HA hook keeps persistent HTTP/1.1
 * connections to its partner; RFC 9112). Every lease update is one POST, and under load there are
 * thousands a second: `fetch` costs a Request, a Headers object, body and response streams and an abort signal per
 * call, and opens a new connection for every request in flight. This client writes the whole request with one
 * write, parses the status line, the headers and a `Content-Length` or chunked body from the bytes it reads, and
 * keeps its connections open for the next request: at most `maxConnections` at once; further requests wait in
 * order for a free one. A reused connection the server closed meanwhile (keep-alive timeout) is detected when it
 * answers nothing, and the request is sent again once on a new connection. Once the server answers with
 * `x-weka-pipelining: 1` (weka's listeners do; Kea 2.2's do not), requests go pipelined instead: many in flight on
 * a few connections, those of one turn in one write (http1_pipeline.ts).
 */

import { PipelinedConn, type PipelinedRequest, type PipelineOwner } from "./http1_pipeline.ts";
import {
  ClosedEarly,
  Conn,
  type Http1Response,
  isReset,
  MAX_ANSWER_BYTES,
  readResponse,
  writeAll,
} from "./http1_wire.ts";

export { type Http1Response, MAX_ANSWER_BYTES };

const enc = new TextEncoder();

/** Options of an {@link Http1Client}. */
export interface Http1ClientOptions {
  /** connections kept at most (default 64) */
  maxConnections?: number;
  /**
   * pipeline requests once the server answers with `x-weka-pipelining: 1` (default true): then at most
   * {@link MAX_PIPELINED_CONNS} connections, many requests in flight on each (http1_pipeline.ts)
   */
  pipeline?: boolean;
}

/**
 * Pipelined connections at most. A request joins the requests of the same turn (one write), else goes on an idle
 * connection (the partner handles it at once, instead of after the group its connection waits for), else on a new
 * one up to this bound, else on the connection with the fewest requests waiting.
 */
export const MAX_PIPELINED_CONNS = 8;

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
  /** the server said it handles pipelined requests (and pipelining is allowed) */
  #pipelining = false;
  readonly #pipelineAllowed: boolean;
  readonly #pipes: PipelinedConn[] = [];
  readonly #owner: PipelineOwner = {
    ended: (c, again) => {
      const i = this.#pipes.indexOf(c);
      if (i >= 0) this.#pipes.splice(i, 1);
      for (const r of again) {
        r.resent = true;
        if (this.#closed) r.reject(new Error("the HTTP client is closed"));
        else this.#pipe().send(r);
      }
    },
    refused: () => void (this.#pipelining = false),
  };

  /** A client of the `http://` URL `url` (its host, port and path). */
  constructor(url: string, opts: Http1ClientOptions = {}) {
    const u = new URL(url);
    if (u.protocol !== "http:") throw new Error(`Http1Client speaks plain http only, not ${u.protocol} (${url})`);
    this.#host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
    this.#port = u.port ? Number(u.port) : 80;
    this.#hostHeader = u.host;
    this.#path = (u.pathname || "/") + u.search;
    this.#max = Math.max(1, opts.maxConnections ?? 64);
    this.#pipelineAllowed = opts.pipeline !== false;
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
    if (this.#pipelining) return this.#pipelined(req, timeoutMs);
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
          if (res.pipelining && this.#pipelineAllowed) this.#pipelining = true;
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

  /** Whether requests now go pipelined (the server said it handles them). */
  get pipelining(): boolean {
    return this.#pipelining;
  }

  #pipelined(req: Uint8Array, timeoutMs: number): Promise<Http1Response> {
    if (this.#closed) return Promise.reject(new Error("the HTTP client is closed"));
    return new Promise<Http1Response>((resolve, reject) => {
      const r: PipelinedRequest = {
        bytes: req,
        resent: false,
        resolve: (x) => {
          clearTimeout(timer);
          resolve(x);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        const e = new Error(`no answer within ${timeoutMs} ms`);
        e.name = "TimeoutError";
        r.reject(e);
        // later answers on its connection can no longer be matched: the connection goes, and its requests fail
        const dropped = new Error(`the connection was dropped: a request on it had no answer within ${timeoutMs} ms`);
        this.#pipes.find((p) => p.waiting.includes(r))?.fail(dropped, false);
      }, timeoutMs);
      this.#pipe().send(r);
    });
  }

  /** The pipelined connection for the next request (see {@link MAX_PIPELINED_CONNS}). */
  #pipe(): PipelinedConn {
    let best: PipelinedConn | undefined;
    for (const p of this.#pipes) {
      if (p.filling) return p;
      if (!best || p.waiting.length < best.waiting.length) best = p;
    }
    if (best && (best.waiting.length === 0 || this.#pipes.length >= MAX_PIPELINED_CONNS)) return best;
    const c = new PipelinedConn(Deno.connect({ hostname: this.#host, port: this.#port }), this.#owner);
    this.#pipes.push(c);
    return c;
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
    for (const p of this.#pipes.splice(0)) p.fail(new Error("the HTTP client is closed"), false);
    this.#dropIdle();
    for (const w of this.#queue.splice(0)) w();
  }
}
