/**
 * The control channel's unix stream socket (Kea `socket-type: "unix"`, ctrl-channel.rst): the client writes one
 * JSON request, weka answers with one JSON answer and closes the connection, as Kea does. The socket file is
 * created with mode 0750 (Kea's rule since 2.7.9). A request that does not complete within the timeout (Kea: a
 * fixed 10 s) gets `{"result": 1, "text": "Connection over control channel timed out"}`; a request larger than
 * the size limit, or cut short by the client closing its side, gets a result-1 answer that says so.
 */
import type { Answer } from "./answer.ts";
import { acceptLoop, ConnTable, DEFAULT_MAX_CONNECTIONS, type ListenerLog, RateLimitedLog } from "./conn_guard.ts";
import { earlySyntaxError } from "./registry.ts";

/** Options of the unix listener. */
export interface UnixListenerOptions {
  /** milliseconds to wait for a complete request (Kea: 10 000) */
  timeoutMs?: number;
  /** largest request accepted, bytes */
  maxBytes?: number;
  /** connections served at once (more are queued by the kernel or evict idle ones; conn_guard.ts) */
  maxConnections?: number;
  log?: ListenerLog;
}

/** Default size limit of one control request: 4 MiB. */
export const MAX_REQUEST_BYTES = 4 << 20;

/**
 * Finds the end of one JSON value arriving in pieces, in linear time: braces and brackets are counted outside
 * strings and comments (`#`, `//`, `/* *\/`), so the listener knows when the request is complete.
 */
export class RequestScanner {
  private depth = 0;
  private started = false;
  private inStr = false;
  private escape = false;
  private comment: "" | "line" | "block" = "";
  private prev = "";
  /** true once a complete value has been seen */
  complete = false;

  /** Feeds the next piece of text; returns `complete`. */
  feed(text: string): boolean {
    for (let i = 0; i < text.length && !this.complete; i++) {
      const c = text[i], prev = this.prev;
      this.prev = c;
      if (this.comment === "line") {
        if (c === "\n") this.comment = "";
      } else if (this.comment === "block") {
        if (prev === "*" && c === "/") {
          this.comment = "";
          this.prev = "";
        }
      } else if (this.inStr) {
        if (this.escape) this.escape = false;
        else if (c === "\\") this.escape = true;
        else if (c === '"') this.inStr = false;
      } else if (c === '"') this.inStr = true;
      else if (c === "#") this.comment = "line";
      else if (c === "/" && prev === "/") this.comment = "line";
      else if (c === "*" && prev === "/") {
        this.comment = "block";
        this.prev = "";
      } else if (c === "{" || c === "[") {
        this.depth++;
        this.started = true;
      } else if (c === "}" || c === "]") {
        this.depth--;
        if (this.started && this.depth === 0) this.complete = true;
      }
    }
    return this.complete;
  }
}

/** True when `text` holds one complete JSON value (see RequestScanner). */
export function requestComplete(text: string): boolean {
  return new RequestScanner().feed(text);
}

/** A listening unix control socket. */
export class UnixControlListener {
  private readonly table: ConnTable;
  private readonly loop: Promise<void>;
  private closed = false;
  private readonly log: RateLimitedLog;

  private constructor(
    readonly path: string,
    private readonly listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>,
    private readonly dispatch: (text: string) => Promise<Answer | Answer[]>,
    private readonly opts: UnixListenerOptions,
  ) {
    this.table = new ConnTable(opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
    this.log = new RateLimitedLog(opts.log ?? (() => {}));
    // the loop survives descriptor exhaustion and any other accept error (conn_guard.ts); only close() ends it
    this.loop = acceptLoop(listener, {
      name: `control socket ${path}`,
      table: this.table,
      log: this.log,
      closed: () => this.closed,
      serve: (conn) => {
        const entry = { busy: false, evict: () => closeQuietly(conn) };
        if (!this.table.add(entry)) {
          this.log.say("warn", "COMMAND_SOCKET_BUSY", `control socket ${path}: ${this.table.max} connections busy`);
          return closeQuietly(conn);
        }
        this.serve(conn, entry).finally(() => this.table.delete(entry));
      },
    });
  }

  /**
   * Listens on `path`. A stale socket file left by a crash is removed; a path where another process is listening
   * is refused (two servers must not share one control socket).
   */
  static async open(
    path: string,
    dispatch: (text: string) => Promise<Answer | Answer[]>,
    opts: UnixListenerOptions = {},
  ): Promise<UnixControlListener> {
    try {
      const st = await Deno.lstat(path);
      if (!st.isSocket) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
      try {
        const c = await Deno.connect({ transport: "unix", path });
        c.close();
        throw new Error(`another process is already listening on the control socket ${path}`);
      } catch (e) {
        if ((e as Error).message.startsWith("another process")) throw e;
        await Deno.remove(path);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const listener = Deno.listen({ transport: "unix", path });
    await Deno.chmod(path, 0o750);
    return new UnixControlListener(path, listener, dispatch, opts);
  }

  private async serve(conn: Deno.UnixConn, entry: { busy: boolean }): Promise<void> {
    const log = (id: string, text: string) => this.log.say("info", id, text);
    const max = this.opts.maxBytes ?? MAX_REQUEST_BYTES;
    const dec = new TextDecoder();
    let text = "", bytes = 0, reply: Answer | Answer[] | undefined, drain = false;
    const scanner = new RequestScanner();
    const timer = Promise.withResolvers<"timeout">();
    const t = setTimeout(() => timer.resolve("timeout"), this.opts.timeoutMs ?? 10_000);
    const buf = new Uint8Array(65536);
    try {
      while (true) {
        const n = await Promise.race([conn.read(buf), timer.promise]);
        if (n === "timeout") {
          log("COMMAND_SOCKET_READ_TIMEOUT", `control socket ${this.path}: no complete request within the timeout`);
          reply = { result: 1, text: "Connection over control channel timed out" };
          drain = true;
          break;
        }
        if (n === null) {
          if (text.trim() === "") return; // the client went away without a request
          reply = scanner.complete ? await this.dispatch(text) : {
            result: 1,
            text: `incomplete request: the connection was closed after ${bytes} byte(s), before the JSON was complete`,
          };
          break;
        }
        bytes += n;
        if (bytes > max) {
          log("COMMAND_SOCKET_READ_FAIL", `control socket ${this.path}: request over ${max} bytes refused`);
          reply = { result: 1, text: `request too large: more than ${max} bytes (the limit of the control channel)` };
          drain = true;
          break;
        }
        const piece = dec.decode(buf.subarray(0, n), { stream: true });
        text += piece;
        if (scanner.feed(piece)) {
          entry.busy = true;
          reply = await this.dispatch(text);
          break;
        }
        const early = bytes <= 65536 ? earlySyntaxError(text) : undefined;
        if (early) {
          reply = { result: 1, text: early };
          drain = true;
          break;
        }
      }
      await writeAll(conn, new TextEncoder().encode(JSON.stringify(reply)));
      if (drain) {
        // let a client that is still sending finish, so it can read the answer instead of a reset connection
        try {
          await conn.closeWrite();
          let r: number | null | "timeout" = 0;
          while (typeof r === "number") r = await Promise.race([conn.read(buf), timer.promise]);
        } catch { /* the client went away: nothing left to do */ }
      }
    } catch (e) {
      log("COMMAND_SOCKET_WRITE_FAIL", `control socket ${this.path}: ${(e as Error).message}`);
    } finally {
      clearTimeout(t);
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }

  /** Stops listening, closes open connections and removes the socket file. */
  async close(): Promise<void> {
    this.closed = true;
    closeQuietly(this.listener);
    this.table.closeAll();
    await this.loop;
    await Deno.remove(this.path).catch(() => {});
  }
}

function closeQuietly(c: { close(): void }): void {
  try {
    c.close();
  } catch { /* already closed */ }
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
}
