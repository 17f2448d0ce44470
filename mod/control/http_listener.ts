/**
 * The control channel over HTTP and HTTPS (Kea `socket-type: "http"|"https"`, ctrl-channel.rst): `POST /` with a
 * JSON request; the answer is wrapped in a one-element list, as Kea's HTTP sockets (heirs of the Control Agent)
 * wrap it. Without valid basic credentials (when `authentication` is configured) the answer is HTTP 401 with
 * `WWW-Authenticate`. `GET /metrics` serves the statistics in Prometheus text format (behind the same credentials).
 * Configured `http-headers` are added to every response. Bodies over the size limit get HTTP 413, a body cut short
 * gets HTTP 400; both with a JSON answer that says what happened.
 */
import type { Answer } from "./answer.ts";
import type { BasicAuth } from "./basic_auth.ts";
import { MAX_REQUEST_BYTES } from "./unix_listener.ts";

/** What the HTTP listener serves. */
export interface HttpListenerOptions {
  hostname: string;
  port: number;
  /** PEM certificate chain and key: HTTPS when present */
  tls?: { cert: string; key: string };
  auth?: BasicAuth;
  /** extra response headers (`http-headers`) */
  headers?: [string, string][];
  /** Prometheus text for GET /metrics; 404 when absent */
  metrics?: () => string;
  maxBytes?: number;
  log?: (id: string, text: string) => void;
}

const JSON_TYPE = { "content-type": "application/json" };

/** Reads a request body up to `max` bytes; null when it is larger. */
async function readLimited(req: Request, max: number): Promise<string | null> {
  const length = req.headers.get("content-length");
  const declared = Number(length ?? "0");
  if (declared > max) return null;
  if (!req.body) return "";
  // a declared length within the limit: read it whole (HTTP framing stops the body there), without a stream loop
  if (length !== null && Number.isInteger(declared) && declared >= 0) return await req.text();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const c of req.body) {
    total += c.length;
    if (total > max) return null;
    chunks.push(c);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return new TextDecoder().decode(all);
}

/** The path of an absolute request URL (`http://host:port/path?query` → `/path`), without a URL parse. */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("://") + 3);
  if (start < 0) return "/";
  const q = url.indexOf("?", start), h = url.indexOf("#", start);
  const end = Math.min(q < 0 ? url.length : q, h < 0 ? url.length : h);
  return url.slice(start, end);
}

/** A listening HTTP(S) control socket. */
export class HttpControlListener {
  private constructor(private readonly server: Deno.HttpServer<Deno.NetAddr>, readonly url: string) {}

  /** Starts listening; resolves once the socket is bound (throws e.g. when the port is in use). */
  static async open(
    opts: HttpListenerOptions,
    dispatch: (text: string) => Promise<Answer>,
  ): Promise<HttpControlListener> {
    const log = opts.log ?? (() => {});
    const max = opts.maxBytes ?? MAX_REQUEST_BYTES;
    const extra = opts.headers ?? [];
    const respond = (status: number, body: unknown, headers: Record<string, string> = {}, raw = false) => {
      const text = raw ? String(body) : JSON.stringify(body);
      if (extra.length === 0) {
        return new Response(text, { status, headers: raw ? headers : { ...JSON_TYPE, ...headers } });
      }
      const h = new Headers({ ...(raw ? {} : JSON_TYPE), ...headers });
      for (const [k, v] of extra) h.set(k, v);
      return new Response(text, { status, headers: h });
    };
    const bound = Promise.withResolvers<void>();
    const handler = async (req: Request): Promise<Response> => {
      const path = pathOf(req.url);
      if (opts.auth && !opts.auth.check(req.headers.get("authorization"))) {
        log("HTTP_CLIENT_REQUEST_NOT_AUTHORIZED", `control request to ${path} refused: missing or wrong credentials`);
        return respond(401, { result: 401, text: "Unauthorized" }, {
          "www-authenticate": `Basic realm="${opts.auth.realm}"`,
        });
      }
      if (path === "/metrics" && req.method === "GET" && opts.metrics) {
        return respond(200, opts.metrics(), { "content-type": "text/plain; version=0.0.4; charset=utf-8" }, true);
      }
      if (req.method !== "POST") {
        return respond(405, [{ result: 1, text: `use POST with a JSON command (not ${req.method} ${path})` }], {
          allow: "POST",
        });
      }
      let text: string | null;
      try {
        text = await readLimited(req, max);
      } catch (e) {
        log("HTTP_REQUEST_RECEIVE_FAILED", `control request cut short: ${(e as Error).message}`);
        return respond(400, [{ result: 1, text: `the request body was cut short: ${(e as Error).message}` }]);
      }
      if (text === null) {
        log("HTTP_REQUEST_TOO_LARGE", `control request over ${max} bytes refused`);
        return respond(413, [{
          result: 1,
          text: `request too large: more than ${max} bytes (the limit of the control channel)`,
        }]);
      }
      return respond(200, [await dispatch(text)]);
    };
    const server = Deno.serve({
      hostname: opts.hostname,
      port: opts.port,
      ...(opts.tls ?? {}),
      onListen: () => bound.resolve(),
      onError: (e) => {
        log("HTTP_SERVER_ERROR", `control socket: ${(e as Error).message}`);
        return respond(500, [{ result: 1, text: `internal error: ${(e as Error).message}` }]);
      },
    }, handler);
    await bound.promise;
    const scheme = opts.tls ? "https" : "http";
    const host = opts.hostname.includes(":") ? `[${opts.hostname}]` : opts.hostname;
    return new HttpControlListener(server, `${scheme}://${host}:${server.addr.port}/`);
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return this.server.addr.port;
  }

  /** Stops accepting, lets requests in flight finish, then closes. */
  async close(): Promise<void> {
    await this.server.shutdown();
  }
}
