/**
 * The TLS listener that verifies client certificates (Kea's `cert-required` on an HTTPS control socket, and the
 * HA listener's `require-client-certs`, i.e. mutual TLS between HA peers). Deno's own TLS server cannot ask a
 * client for a certificate, so this one is node:tls (`requestCert` + `rejectUnauthorized` against the trust
 * anchor; a client without a certificate signed by it fails the handshake and never reaches HTTP).
 *
 * Two things measured on Deno 2.9.6 shape it: a node:tls socket handed a wrapped stream does not verify the client
 * at all, so the server must own its listening socket; and a node:net/node:tls server stops accepting for good
 * after one EMFILE. So connections are bounded here as in the other listeners (handshakes in progress and
 * established connections each at most the table's limit, handshakes cut after 10 s), and a watchdog checks the
 * accept loop: every `probeIntervalMs` it opens a TCP connection to the listener and expects to see it accepted;
 * when it is not, the server is closed and listens again on the same address, with a WARN.
 */
import tls from "node:tls";
import type { Socket } from "node:net";
import type { ByteConn } from "./http_conn.ts";
import type { ConnTable, RateLimitedLog } from "./conn_guard.ts";

/** The files of a TLS listener, PEM text. */
export interface TlsServerFiles {
  cert: string;
  key: string;
  /** trust anchors that sign acceptable client certificates */
  ca: string[];
}

/** Adapts a node socket to the pull-style {@link ByteConn} the HTTP connection reads. */
class NodeSocketConn implements ByteConn {
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private ended = false;
  private error?: Error;
  private wake?: () => void;
  readonly remote: string;

  constructor(private readonly s: tls.TLSSocket) {
    this.remote = `${s.remoteAddress}:${s.remotePort}`;
    s.on("data", (d: Uint8Array) => {
      this.queue.push(d);
      this.queued += d.length;
      if (this.queued > 1 << 18) s.pause();
      this.wake?.();
    });
    const end = () => {
      this.ended = true;
      this.wake?.();
    };
    s.on("end", end);
    s.on("close", end);
    s.on("error", (e: Error) => {
      this.error = e;
      this.wake?.();
    });
  }

  async read(buf: Uint8Array): Promise<number | null> {
    while (!this.queue.length && !this.ended && !this.error) {
      await new Promise<void>((r) => this.wake = r);
      this.wake = undefined;
    }
    if (this.queue.length) {
      const head = this.queue[0];
      const n = Math.min(head.length, buf.length);
      buf.set(head.subarray(0, n));
      if (n === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(n);
      this.queued -= n;
      if (this.queued < 1 << 16 && this.s.isPaused()) this.s.resume();
      return n;
    }
    if (this.error) throw this.error;
    return null;
  }

  write(data: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.s.write(data, (e) => e ? reject(e) : resolve()));
  }

  close(): void {
    this.s.destroy();
  }

  closeWrite(): Promise<void> {
    return new Promise((r) => this.s.end(r));
  }
}

/** What the node TLS listener needs. */
export interface NodeTlsOptions {
  hostname: string;
  port: number;
  files: TlsServerFiles;
  table: ConnTable;
  log: RateLimitedLog;
  name: string;
  /** serves an established, verified connection */
  serve(conn: ByteConn): void;
  handshakeTimeoutMs?: number;
  probeIntervalMs?: number;
}

/** A listening node:tls server with its watchdog. */
export class NodeTlsListener {
  private server!: tls.Server;
  private readonly handshaking = new Set<Socket>();
  /** a probe is under way: the remote ports of the connections accepted meanwhile */
  private probing = false;
  private readonly acceptedPorts = new Set<number>();
  private probeClosedAt = 0;
  private closed = false;
  private readonly watchdog: ReturnType<typeof setInterval>;
  port = 0;

  private constructor(private readonly o: NodeTlsOptions) {
    this.watchdog = setInterval(() => void this.probe(), o.probeIntervalMs ?? 10_000);
  }

  /** Listens; rejects when the address cannot be bound. */
  static async open(o: NodeTlsOptions): Promise<NodeTlsListener> {
    const l = new NodeTlsListener(o);
    try {
      await l.listen(o.port);
    } catch (e) {
      clearInterval(l.watchdog);
      throw e;
    }
    return l;
  }

  private listen(port: number): Promise<void> {
    const o = this.o;
    const server = tls.createServer({
      cert: o.files.cert,
      key: o.files.key,
      ca: o.files.ca,
      requestCert: true,
      rejectUnauthorized: true,
      handshakeTimeout: o.handshakeTimeoutMs ?? 10_000,
    });
    server.on("connection", (raw: Socket) => {
      // the watchdog's probe may be accepted before its connect() returns: remember the last ports seen
      if (this.probing) {
        if (this.acceptedPorts.size > 64) this.acceptedPorts.clear();
        this.acceptedPorts.add(raw.remotePort ?? 0);
      }
      if (this.handshaking.size >= o.table.max) {
        o.table.refused++;
        o.log.say("warn", "HTTP_CONNECTION_LIMIT", `${o.name}: ${this.handshaking.size} TLS handshakes in progress`);
        raw.destroy();
        return;
      }
      this.handshaking.add(raw);
      raw.once("close", () => this.handshaking.delete(raw));
    });
    server.on("secureConnection", (s: tls.TLSSocket) => o.serve(new NodeSocketConn(s)));
    server.on("tlsClientError", (e: Error, s: tls.TLSSocket) => {
      if (Date.now() - this.probeClosedAt < 500 && !s?.remoteAddress) return; // the watchdog's own probe
      o.log.say("info", "HTTP_TLS_HANDSHAKE_FAILED", `${o.name}: ${s?.remoteAddress ?? "?"}: ${e.message}`);
    });
    server.on("error", (e: Error) => o.log.say("error", "LISTENER_ACCEPT_FAILED", `${o.name}: ${e.message}`));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, o.hostname, () => {
        server.off("error", reject);
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  /**
   * Checks that the server still accepts (a probe connection shows up in its `connection` events, or at least the
   * port answers); listens again when it does not (see the module comment).
   */
  private async probe(): Promise<void> {
    if (this.closed || this.probing) return;
    this.probing = true;
    this.acceptedPorts.clear();
    try {
      const alive = await this.accepts();
      if (alive !== false || this.closed) return;
      this.o.log.say(
        "warn",
        "HTTP_LISTENER_RESTART",
        `${this.o.name}: the TLS listener stopped accepting; listening again`,
      );
      this.server.close();
      try {
        await this.listen(this.port);
      } catch (e) {
        this.o.log.say("error", "HTTP_LISTENER_RESTART_FAILED", `${this.o.name}: ${(e as Error).message}`);
      }
    } finally {
      this.probing = false;
    }
  }

  /** true: a probe connection was accepted; false: it was not, or the port refused it; undefined: no probe. */
  private async accepts(): Promise<boolean | undefined> {
    const h = this.o.hostname;
    let c: Deno.TcpConn;
    try {
      c = await Deno.connect({ hostname: h === "0.0.0.0" ? "127.0.0.1" : h === "::" ? "::1" : h, port: this.port });
    } catch (e) {
      if (e instanceof Deno.errors.ConnectionRefused) return false;
      this.o.log.say("debug", "HTTP_LISTENER_PROBE_FAILED", `${this.o.name}: ${(e as Error).message}`);
      return undefined; // e.g. out of descriptors ourselves: try again next time
    }
    const port = c.localAddr.port;
    for (let waited = 0; waited < 2000 && !this.acceptedPorts.has(port); waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    this.probeClosedAt = Date.now();
    c.close();
    return this.acceptedPorts.has(port);
  }

  /** Stops listening and the watchdog; open connections are closed by the caller's table. */
  close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    for (const s of this.handshaking) s.destroy();
    return new Promise((r) => {
      const t = setTimeout(r, 1000);
      this.server.close(() => {
        clearTimeout(t);
        r();
      });
    });
  }
}
