/**
 * Opens the control sockets a configuration names (`control-socket` of Kea 2.2 and `control-sockets`, compiled to
 * `ControlSocketSpec`s): unix sockets, HTTP and HTTPS listeners, all answering through the same `dispatch`. A
 * socket that cannot be opened is reported (status-get shows it as failed) and the others still open, as Kea keeps
 * serving DHCP when a control socket fails. HTTPS with a `trust-anchor` requires client certificates signed by it
 * unless `cert-required` is false (Kea's default is true); an HTTP socket without `authentication` is open to
 * anyone who reaches its address, which a WARN says at start-up unless it listens on loopback only.
 */
import type { ControlSocketSpec } from "../config/model.ts";
import type { Answer } from "./answer.ts";
import type { ListenerLog } from "./conn_guard.ts";
import type { HttpControlListener } from "./http_listener.ts";
import { UnixControlListener } from "./unix_listener.ts";

/** What the listeners need besides the specs. */
export interface ListenerDeps {
  /** answers one request (a list: the Control Agent's answers, sent as they are) */
  dispatch: (text: string) => Promise<Answer | Answer[]>;
  /** Prometheus text for GET /metrics on HTTP listeners */
  metrics?: () => string;
  /** the status page at GET / of HTTP listeners (default on) */
  page?: boolean;
  log: ListenerLog;
  /** unix timeout override (tests) */
  timeoutMs?: number;
}
/** The open control sockets. */
export class ControlListeners {
  readonly errors: string[] = [];
  private readonly open: (UnixControlListener | HttpControlListener)[] = [];
  /** URLs / paths that are listening, in spec order */
  readonly endpoints: string[] = [];

  /** Opens every socket in `specs`; failures are logged and kept in `errors`. */
  static async start(specs: readonly ControlSocketSpec[], deps: ListenerDeps): Promise<ControlListeners> {
    const out = new ControlListeners();
    for (const spec of specs) {
      try {
        const l = await openOne(spec, deps);
        out.open.push(l);
        const where = l instanceof UnixControlListener ? l.path : l.url;
        out.endpoints.push(where);
        deps.log("info", "COMMAND_ACCEPTOR_START", `control channel listening on ${where}`);
      } catch (e) {
        const text = `control socket ${describe(spec)} not opened: ${(e as Error).message}`;
        out.errors.push(text);
        deps.log("error", "COMMAND_SOCKET_OPEN_FAILED", text);
      }
    }
    return out;
  }

  /** status-get `sockets`: ready, or failed with the errors. */
  status(): { status: "ready" | "failed"; errors?: string[] } {
    return this.errors.length ? { status: "failed", errors: [...this.errors] } : { status: "ready" };
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    await Promise.allSettled(this.open.map((l) => l.close()));
    this.open.length = 0;
  }
}

function describe(s: ControlSocketSpec): string {
  return s.type === "unix"
    ? `unix ${s.name ?? "(no socket-name)"}`
    : `${s.type} ${s.address ?? "127.0.0.1"}:${s.port ?? 8000}`;
}

async function openOne(
  spec: ControlSocketSpec,
  deps: ListenerDeps,
): Promise<UnixControlListener | HttpControlListener> {
  if (spec.type === "unix") {
    if (!spec.name) throw new Error("a unix control socket needs 'socket-name'");
    return await UnixControlListener.open(spec.name, deps.dispatch, { log: deps.log, timeoutMs: deps.timeoutMs });
  }
  // HTTP(S) listeners, their TLS and authentication load when a socket of that kind is configured (issue 16 item 5)
  const { openHttpListener } = await import("./listeners_http.ts");
  return await openHttpListener(spec, deps);
}
