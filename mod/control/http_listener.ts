/**
 * The control channel over HTTP and HTTPS (Kea `socket-type: "http"|"https"`, ctrl-channel.rst): `POST /` with a
 * JSON request; the answer is wrapped in a one-element list, as Kea's HTTP sockets (heirs of the Control Agent)
 * wrap it. Without valid basic credentials (when `authentication` is configured) the answer is HTTP 401 with
 * `WWW-Authenticate`, given from the request head before any body is read. With a trust anchor and
 * `cert-required`, a client must also present a certificate the anchor signed (mutual TLS). `GET /metrics`
 * serves the statistics in Prometheus text format and, with `page`, `GET /` the status page (status_page.ts), both
 * behind the same credentials; a command posted by another site's page is refused (403). Configured `http-headers` are
 * added to every response. Bodies over the size limit get HTTP 413, a request cut short or too slow 400/408; all
 * with a JSON answer that says what happened. Connections are bounded and kept to deadlines (http_server.ts).
 */
import type { Answer } from "./answer.ts";
import type { BasicAuth } from "./basic_auth.ts";
import { connectionLimit, ConnTable, type ListenerLog, RateLimitedLog } from "./conn_guard.ts";
import type { ConnTimeouts, HttpResponse } from "./http_conn.ts";
import type { HttpRequest } from "./http_request.ts";
import { HttpServer } from "./http_server.ts";
import { MAX_REQUEST_BYTES } from "./unix_listener.ts";
import { crossSiteRefusal, isPagePath, pageResponse } from "./status_page.ts";

/** What the HTTP listener serves. */
export interface HttpListenerOptions {
  hostname: string;
  port: number;
  /** PEM certificate chain and key: HTTPS when present; `ca` = trust anchors clients must be signed by */
  tls?: { cert: string; key: string; ca?: string[] };
  auth?: BasicAuth;
  /** extra response headers (`http-headers`) */
  headers?: [string, string][];
  /** Prometheus text for GET /metrics; 404 when absent */
  metrics?: () => string;
  /** serve the status page at GET / (mod/control/status_page.ts) */
  page?: boolean;
  maxBytes?: number;
  /** connection limit (default: from the descriptor limit, see conn_guard.ts) */
  maxConnections?: number;
  timeouts?: ConnTimeouts;
  /** what the listener is, in log lines (default "control socket") */
  name?: string;
  log?: ListenerLog;
}

const dec = new TextDecoder();

/** The soft descriptor limit of this process (`Max open files` of /proc/self/limits), when readable. */
export function fdSoftLimit(): number | undefined {
  try {
    const m = Deno.readTextFileSync("/proc/self/limits").match(/^Max open files\s+(\d+)/m);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** A listening HTTP(S) control socket. */
export class HttpControlListener {
  private constructor(private readonly server: HttpServer, readonly url: string, readonly table: ConnTable) {}

  /** Starts listening; resolves once the socket is bound (throws e.g. when the port is in use). */
  static async open(
    opts: HttpListenerOptions,
    dispatch: (text: string) => Promise<Answer | Answer[]>,
  ): Promise<HttpControlListener> {
    const log = opts.log ?? (() => {});
    const max = opts.maxBytes ?? MAX_REQUEST_BYTES;
    const auth = opts.auth;
    const scheme = opts.tls ? "https" : "http";
    const host = opts.hostname.includes(":") ? `[${opts.hostname}]` : opts.hostname;
    const name = `${opts.name ?? "control socket"} ${scheme}://${host}:${opts.port}/`;
    const limited = new RateLimitedLog(log);
    const json = (status: number, body: unknown): HttpResponse => ({ status, body: JSON.stringify(body) });
    const unauthorized = (head: Omit<HttpRequest, "body">): HttpResponse | undefined => {
      if (!auth || auth.check(head.headers.get("authorization") ?? null)) return undefined;
      limited.say(
        "info",
        "HTTP_CLIENT_REQUEST_NOT_AUTHORIZED",
        `${name}: request to ${head.path} refused: missing or wrong credentials`,
      );
      return {
        status: 401,
        headers: { "www-authenticate": `Basic realm="${auth.realm}"` },
        body: JSON.stringify({ result: 401, text: "Unauthorized" }),
      };
    };
    const handle = async (req: HttpRequest): Promise<HttpResponse> => {
      if (req.path === "/metrics" && req.method === "GET" && opts.metrics) {
        return {
          status: 200,
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
          body: opts.metrics(),
        };
      }
      if (opts.page && req.method === "GET" && isPagePath(req.path)) return pageResponse(req.path);
      if (req.method !== "POST") {
        return {
          ...json(405, [{ result: 1, text: `use POST with a JSON command (not ${req.method} ${req.path})` }]),
          headers: { allow: opts.page ? "GET, POST" : "POST" },
        };
      }
      const foreign = crossSiteRefusal(req);
      if (foreign) {
        limited.say("warn", "HTTP_CROSS_SITE_REFUSED", `${name}: ${foreign}`);
        return json(403, [{ result: 1, text: foreign }]);
      }
      // a daemon's answer goes in a one-element list (Kea's HTTP convention); the agent's is a list already
      const got = await dispatch(dec.decode(req.body));
      return json(200, Array.isArray(got) ? got : [got]);
    };
    const table = new ConnTable(opts.maxConnections ?? connectionLimit(fdSoftLimit()));
    const server = await HttpServer.listen({
      hostname: opts.hostname,
      port: opts.port,
      tls: opts.tls,
      table,
      log: limited,
      name,
      timeouts: opts.timeouts,
      limits: { maxHeaderBytes: 16 << 10, maxHeaders: 64, maxBodyBytes: max },
    }, { handle, early: unauthorized, headers: opts.headers });
    return new HttpControlListener(server, `${scheme}://${host}:${server.port}/`, table);
  }

  /** The bound port (useful with port 0). */
  get port(): number {
    return this.server.port;
  }

  /** Stops accepting and closes the connections. */
  async close(): Promise<void> {
    await this.server.close();
  }
}
