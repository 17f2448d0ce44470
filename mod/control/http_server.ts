/**
 * weka's HTTP/1.1 server for the control channel and the HA listener, on plain TCP, TLS, or TLS that verifies
 * client certificates. It replaces `Deno.serve`, which has no connection limit, no header or body deadline, and
 * whose accept loop ends the process with an uncaught "Too many open files" when a flood of stalled connections
 * exhausts the descriptors. Here every connection is bounded by the rules of conn_guard.ts (limit, eviction,
 * descriptor exhaustion) and http_conn.ts (deadlines, request limits), so nothing a client does to a listener can
 * stop it or the DHCP service beside it.
 */
import { acceptLoop, type ConnTable, type RateLimitedLog } from "./conn_guard.ts";
import { type ByteConn, type ConnTimeouts, DEFAULT_TIMEOUTS, type HttpHandlers, serveHttpConn } from "./http_conn.ts";
import { DEFAULT_LIMITS, type ParserLimits } from "./http_request.ts";
import { NodeTlsListener, type TlsServerFiles } from "./tls_server_node.ts";

/** Where and how to listen. */
export interface HttpServerOptions {
  hostname: string;
  port: number;
  /** TLS: certificate and key (PEM); with `ca`, clients must present a certificate signed by one of them */
  tls?: { cert: string; key: string; ca?: string[] };
  table: ConnTable;
  log: RateLimitedLog;
  /** "control socket", "HA listener" … (log lines) */
  name: string;
  timeouts?: ConnTimeouts;
  limits?: ParserLimits;
}

/** Wraps a Deno TCP or TLS connection. */
function denoConn(c: Deno.Conn): ByteConn {
  const a = c.remoteAddr as Deno.NetAddr;
  // answers go out at once (no Nagle delay): a pipelining client may have nothing to send that would carry the ACK
  if ("setNoDelay" in c && typeof c.setNoDelay === "function") (c as Deno.TcpConn).setNoDelay(true);
  return {
    remote: `${a.hostname}:${a.port}`,
    read: (buf) => c.read(buf),
    write: async (data) => {
      for (let off = 0; off < data.length;) off += await c.write(data.subarray(off));
    },
    close: () => {
      try {
        c.close();
      } catch { /* already closed */ }
    },
    closeWrite: () => c.closeWrite(),
  };
}

/** A listening HTTP(S) server. */
export class HttpServer {
  private closed = false;
  private loop?: Promise<void>;
  private listener?: Deno.Listener;
  private nodeTls?: NodeTlsListener;
  /** the bound port (useful with port 0) */
  port = 0;

  private constructor(private readonly o: HttpServerOptions, private readonly h: HttpHandlers) {}

  /** Binds and starts accepting; rejects when the address cannot be bound or the TLS files are unusable. */
  static async listen(o: HttpServerOptions, h: HttpHandlers): Promise<HttpServer> {
    const s = new HttpServer(o, h);
    const serve = (conn: ByteConn) => s.serve(conn);
    if (o.tls?.ca) {
      s.nodeTls = await NodeTlsListener.open({
        hostname: o.hostname,
        port: o.port,
        files: o.tls as TlsServerFiles,
        table: o.table,
        log: o.log,
        name: o.name,
        serve,
      });
      s.port = s.nodeTls.port;
      return s;
    }
    const l: Deno.Listener = o.tls
      ? Deno.listenTls({ hostname: o.hostname, port: o.port, cert: o.tls.cert, key: o.tls.key })
      : Deno.listen({ hostname: o.hostname, port: o.port });
    s.listener = l;
    s.port = (l.addr as Deno.NetAddr).port;
    s.loop = acceptLoop(l, {
      name: o.name,
      table: o.table,
      log: o.log,
      closed: () => s.closed,
      serve: (c) => serve(denoConn(c)),
    });
    return s;
  }

  private serve(conn: ByteConn): void {
    const entry = { busy: false, evict: () => conn.close() };
    const { table, log, name } = this.o;
    if (this.closed || !table.add(entry)) {
      log.say("warn", "HTTP_CONNECTION_LIMIT", `${name}: all ${table.max} connections are busy; refusing one`);
      conn.close();
      return;
    }
    if (table.size === table.max) {
      log.say(
        "warn",
        "HTTP_CONNECTION_LIMIT",
        `${name}: ${table.max} connections open (the limit); the oldest idle ones are closed to make room`,
      );
    }
    const problem = (id: string, text: string) => log.say("debug", id, `${name}: ${text}`);
    serveHttpConn(conn, entry, this.h, this.o.timeouts ?? DEFAULT_TIMEOUTS, this.o.limits ?? DEFAULT_LIMITS, problem)
      .finally(() => table.delete(entry));
  }

  /** Stops accepting and closes every connection (answers in flight are cut). */
  async close(): Promise<void> {
    this.closed = true;
    try {
      this.listener?.close();
    } catch { /* closed */ }
    this.o.table.closeAll();
    await this.nodeTls?.close();
    await this.loop;
  }
}
