/**
 * Opens the control sockets a configuration names (`control-socket` of Kea 2.2 and `control-sockets`, compiled to
 * `ControlSocketSpec`s): unix sockets, HTTP and HTTPS listeners, all answering through the same `dispatch`. A
 * socket that cannot be opened is reported (status-get shows it as failed) and the others still open, as Kea keeps
 * serving DHCP when a control socket fails. HTTPS with `cert-required` (Kea's default once a `trust-anchor` is
 * given) is refused with an explanation: Deno's TLS server cannot ask clients for certificates.
 */
import type { ControlSocketSpec } from "../config/model.ts";
import type { Answer } from "./answer.ts";
import { basicAuthFrom } from "./basic_auth.ts";
import { HttpControlListener } from "./http_listener.ts";
import { UnixControlListener } from "./unix_listener.ts";

/** What the listeners need besides the specs. */
export interface ListenerDeps {
  dispatch: (text: string) => Promise<Answer>;
  /** Prometheus text for GET /metrics on HTTP listeners */
  metrics?: () => string;
  log: (level: "info" | "error", id: string, text: string) => void;
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
  const log = (id: string, text: string) => deps.log("info", id, text);
  if (spec.type === "unix") {
    if (!spec.name) throw new Error("a unix control socket needs 'socket-name'");
    return await UnixControlListener.open(spec.name, deps.dispatch, { log, timeoutMs: deps.timeoutMs });
  }
  const raw = spec.raw;
  const readFile = (p: string) => Deno.readTextFileSync(p);
  const auth = basicAuthFrom(raw.authentication as Record<string, unknown> | undefined, readFile);
  let tls: { cert: string; key: string } | undefined;
  if (spec.type === "https" || raw["cert-file"] !== undefined) {
    const cert = raw["cert-file"], key = raw["key-file"];
    if (typeof cert !== "string" || typeof key !== "string") {
      throw new Error("an https control socket needs 'cert-file' and 'key-file'");
    }
    if (raw["trust-anchor"] !== undefined && raw["cert-required"] !== false) {
      throw new Error(
        "'cert-required' (the default with a trust-anchor) asks for TLS client certificates, which weka cannot " +
          'verify; set "cert-required": false and use basic authentication',
      );
    }
    tls = { cert: readFile(cert), key: readFile(key) };
  }
  const headers = ((raw["http-headers"] ?? []) as Record<string, unknown>[]).map((h) => {
    if (typeof h.name !== "string" || typeof h.value !== "string") {
      throw new Error("each http-headers entry needs a 'name' and a 'value' string");
    }
    return [h.name, h.value] as [string, string];
  });
  return await HttpControlListener.open({
    hostname: spec.address ?? "127.0.0.1",
    port: spec.port ?? 8000,
    tls,
    auth,
    headers,
    metrics: deps.metrics,
    log,
  }, deps.dispatch);
}
