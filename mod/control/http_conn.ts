/**
 * One HTTP/1.1 connection of a control or HA listener: reads requests with {@link RequestParser}, answers them in
 * order through the listener's handler, and keeps the client to deadlines (Kea's HTTP listeners drop a client
 * that has not sent a complete request within 10 s):
 *
 * - a request must be complete within `requestTimeoutMs` of its first byte (a client sending one byte a second is
 *   cut off, not kept alive by each byte); the first request of a connection must also start within that time;
 * - between requests of a persistent connection the client may stay idle for `idleTimeoutMs`;
 * - an answer must be taken by the client within `writeTimeoutMs` (a client that never reads is dropped).
 *
 * A client cut off mid-request gets 408, a request the parser refuses gets its 4xx status, both with a JSON
 * answer in Kea's shape, and the connection is closed. The handler may also answer from the request head alone
 * (`early`: 401 before a body is read, `Expect: 100-continue`).
 */
import type { Tracked } from "./conn_guard.ts";
import { DEFAULT_LIMITS, HttpParseError, type HttpRequest, type ParserLimits, RequestParser } from "./http_request.ts";
import { concatBytes } from "../wire/bytes.ts";

/** The byte stream of a connection: a Deno TCP/TLS connection, or a node:tls socket (tls_server_node.ts). */
export interface ByteConn {
  /** reads into `buf`; null at the end of the stream; rejects once the connection was closed */
  read(buf: Uint8Array): Promise<number | null>;
  /** writes all of `data` */
  write(data: Uint8Array): Promise<void>;
  close(): void;
  /** ends the sending side (TCP FIN), so a client still sending can read an early answer before the close */
  closeWrite?(): Promise<void>;
  /** "address:port" of the client, for log lines */
  readonly remote: string;
}

/** An answer to send. */
export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
  /** close the connection after this answer */
  close?: boolean;
}

/** What a listener does with requests. */
export interface HttpHandlers {
  /** answers a complete request (a rejection becomes a 500 answer) */
  handle(req: HttpRequest, conn: ByteConn): Promise<HttpResponse> | HttpResponse;
  /** may answer from the head alone, before the body is read (e.g. 401); the connection is then closed */
  early?(head: Omit<HttpRequest, "body">): HttpResponse | undefined;
  /** extra headers on every answer (`http-headers`) */
  headers?: readonly [string, string][];
}

/**
 * Sent with every answer: this server handles pipelined requests at once and answers them in order (weka's HA
 * client pipelines its lease updates only to a server that says so: Kea 2.2's HTTP listeners read one request at
 * a time, so a Kea partner gets them one by one, as from Kea's own HA client).
 */
export const PIPELINING_HEADER: [string, string] = ["x-weka-pipelining", "1"];

/** Pipelined requests handled at once on one connection; more wait for the next turn. */
export const MAX_PIPELINED = 256;

/** The deadlines of a connection, ms. */
export interface ConnTimeouts {
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  writeTimeoutMs: number;
}

/** Kea's 10 s for a request, 30 s idle between requests of a persistent connection, 10 s to take an answer. */
export const DEFAULT_TIMEOUTS: ConnTimeouts = {
  requestTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  writeTimeoutMs: 10_000,
};

const REASONS: Record<number, string> = {
  100: "Continue",
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

const enc = new TextEncoder();

/** The bytes of one answer: status line, headers, `content-length`, `connection`, body. */
export function serializeResponse(
  res: HttpResponse,
  keepAlive: boolean,
  version: string,
  extra: readonly [string, string][] = [],
): Uint8Array {
  const body = typeof res.body === "string" ? enc.encode(res.body) : res.body;
  let head = `HTTP/1.1 ${res.status} ${REASONS[res.status] ?? "Unknown"}\r\n`;
  const headers: Record<string, string> = { "content-type": "application/json", ...res.headers };
  for (const [k, v] of extra) headers[k.toLowerCase()] = v;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  head += `content-length: ${body.length}\r\n`;
  if (!keepAlive) head += "connection: close\r\n";
  else if (version === "HTTP/1.0") head += "connection: keep-alive\r\n";
  head += "\r\n";
  const h = enc.encode(head);
  const out = new Uint8Array(h.length + body.length);
  out.set(h);
  out.set(body, h.length);
  return out;
}

/** A JSON error answer in Kea's shape (a one-element list, as Kea's HTTP answers are). */
export function errorResponse(status: number, text: string): HttpResponse {
  return { status, body: JSON.stringify([{ result: 1, text }]), close: true };
}

/**
 * Serves `conn` until the client closes it, a deadline passes, an answer asks to close, or `entry` is evicted.
 * Never rejects. `entry.busy` is true while an answer is being made and sent.
 */
export async function serveHttpConn(
  conn: ByteConn,
  entry: Tracked,
  h: HttpHandlers,
  t: ConnTimeouts = DEFAULT_TIMEOUTS,
  limits: ParserLimits = DEFAULT_LIMITS,
  onProblem: (id: string, text: string) => void = () => {},
): Promise<void> {
  const parser = new RequestParser(limits);
  const buf = new Uint8Array(8192); // requests are small; a large body just takes more reads
  const extra: readonly [string, string][] = [...(h.headers ?? []), PIPELINING_HEADER];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const arm = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      if (!parser.midRequest || entry.busy) return conn.close();
      // a client cut off mid-request is told why (best effort: it may not be reading either)
      const bye = setTimeout(() => conn.close(), 1000);
      const res = errorResponse(408, "Request timeout: the request was not complete within the time limit");
      conn.write(serializeResponse(res, false, "HTTP/1.1", extra)).catch(() => {}).finally(() => {
        clearTimeout(bye);
        conn.close();
      });
    }, ms);
  };
  const sendBytes = async (bytes: Uint8Array) => {
    arm(t.writeTimeoutMs);
    await conn.write(bytes);
    clearTimeout(timer);
  };
  const send = (res: HttpResponse, keepAlive: boolean, version: string) =>
    sendBytes(serializeResponse(res, keepAlive, version, extra));
  /** the answer to one request (the head-only check `early` first, unless it ran already); never rejects */
  const answerOf = async (req: HttpRequest, earlyDone: boolean): Promise<HttpResponse> => {
    try {
      const early = earlyDone ? undefined : h.early?.(req);
      return early ? { ...early, close: true } : await h.handle(req, conn);
    } catch (e) {
      onProblem("HTTP_HANDLER_FAILED", `${conn.remote}: ${(e as Error).message}`);
      return errorResponse(500, `internal error: ${(e as Error).message}`);
    }
  };
  let started = false, earlyChecked = false, continued = false;
  arm(t.requestTimeoutMs);
  try {
    while (true) {
      let req: HttpRequest | undefined;
      try {
        req = parser.next();
      } catch (e) {
        if (!(e instanceof HttpParseError)) throw e;
        onProblem("HTTP_BAD_REQUEST", `${conn.remote}: ${e.message} (answered ${e.status})`);
        await send(errorResponse(e.status, e.message), false, "HTTP/1.1");
        return await linger(conn, buf);
      }
      if (!req) {
        const head = parser.pendingHead;
        if (head && !earlyChecked) {
          earlyChecked = true;
          const early = h.early?.(head);
          if (early) {
            await send({ ...early, close: true }, false, head.version);
            return await linger(conn, buf);
          }
          if (parser.refused) continue; // next() throws the refusal (413) without waiting for the body
          if (head.headers.get("expect")?.toLowerCase() === "100-continue" && !continued) {
            continued = true;
            await conn.write(enc.encode("HTTP/1.1 100 Continue\r\n\r\n"));
          }
        }
        const n = await conn.read(buf);
        if (n === null) {
          if (parser.midRequest) onProblem("HTTP_REQUEST_CUT", `${conn.remote}: connection closed mid-request`);
          return;
        }
        if (!started) {
          started = true;
          arm(t.requestTimeoutMs); // the whole request within the timeout of its first byte
        }
        parser.push(buf.subarray(0, n));
        continue;
      }
      clearTimeout(timer);
      entry.busy = true;
      // pipelining (RFC 9112 §9.3.2): the requests that arrived together are handled at once (their lease changes
      // join one group commit) and answered in order, in one write
      const batch = [req];
      let bad: HttpParseError | undefined; // a malformed request after these: answered after them, then closed
      while (batch.length < MAX_PIPELINED && batch[batch.length - 1].keepAlive) {
        let more: HttpRequest | undefined;
        try {
          more = parser.next();
        } catch (e) {
          if (!(e instanceof HttpParseError)) throw e;
          bad = e;
          break;
        }
        if (!more) break;
        batch.push(more);
      }
      const answers = batch.map((r, i) => answerOf(r, i === 0 && earlyChecked));
      const out: Uint8Array[] = [];
      let keep = true, version = req.version;
      for (let i = 0; i < batch.length && keep; i++) {
        const res = await answers[i];
        keep = batch[i].keepAlive && !res.close;
        version = batch[i].version;
        out.push(serializeResponse(res, keep, version, extra));
      }
      await sendBytes(out.length === 1 ? out[0] : concatBytes(out));
      entry.busy = false;
      if (!keep) return;
      if (bad) {
        onProblem("HTTP_BAD_REQUEST", `${conn.remote}: ${bad.message} (answered ${bad.status})`);
        await send(errorResponse(bad.status, bad.message), false, "HTTP/1.1");
        return await linger(conn, buf);
      }
      started = earlyChecked = continued = false;
      arm(t.idleTimeoutMs);
    }
  } catch (e) {
    if (timedOut && parser.midRequest) {
      onProblem("HTTP_REQUEST_TIMEOUT", `${conn.remote}: no complete request within ${t.requestTimeoutMs} ms`);
    } else if (!timedOut) onProblem("HTTP_CONNECTION_FAILED", `${conn.remote}: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
    conn.close();
  }
}

/**
 * After an answer sent before the request was read whole (401, 413, 400), the client may still be sending: closing
 * at once would reset the connection and lose the answer. So the sending side is closed and what arrives is read
 * and dropped for at most a second or 16 MiB (the bounded form of RFC 9112 §9.6's "lingering close").
 */
async function linger(conn: ByteConn, buf: Uint8Array): Promise<void> {
  if (!conn.closeWrite) return;
  const stop = setTimeout(() => conn.close(), 1000);
  try {
    await conn.closeWrite();
    let total = 0;
    while (total < 16 << 20) {
      const n = await conn.read(buf);
      if (n === null) break;
      total += n;
    }
  } catch {
    /* closed by the timer or the client */
  } finally {
    clearTimeout(stop);
  }
}
