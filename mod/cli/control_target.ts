/**
 * How the admin commands (`weka status`, `weka leases list`) reach a running server: through its control channel,
 * as Kea's admin tools and Stork do, never by opening the lease database the server owns (one writer). The target
 * is named on the command line (`--socket FILE`, or `--host`/`--port` with `--auth-user`/`--auth-password`) or
 * found in the configuration file: its first unix control socket whose file exists, else its first HTTP(S) socket
 * with the credentials of its first `authentication` client (`password-file` / `user-file` read as Kea reads them,
 * relative to `directory`).
 */
import type { ControlSocketSpec } from "../config/model.ts";
import { buildRequest, sendHttp, sendUnix } from "../control/client.ts";

/** A Kea answer map. */
export interface ControlAnswer {
  result: number;
  text?: string;
  // deno-lint-ignore no-explicit-any
  arguments?: any;
}

/** A reachable control channel. */
export interface ControlTarget {
  /** the socket path or URL, for messages */
  where: string;
  /** sends one command and returns the answer map (the first element of an HTTP answer list) */
  send(command: string, args?: Record<string, unknown>): Promise<ControlAnswer>;
}

/** What the command line says about the target. */
export interface TargetOptions {
  socket?: string;
  host?: string;
  port?: number;
  authUser?: string;
  authPassword?: string;
  timeoutMs?: number;
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function parseAnswer(text: string): ControlAnswer {
  const a = JSON.parse(text);
  return (Array.isArray(a) ? a[0] : a) as ControlAnswer;
}

/** A unix socket target. */
export function unixTarget(path: string, timeoutMs = 10_000): ControlTarget {
  return {
    where: path,
    send: async (command, args) =>
      parseAnswer(await sendUnix(path, JSON.stringify(buildRequest(command, args)), timeoutMs)),
  };
}

/** An HTTP(S) target at `url` with optional basic credentials. */
export function httpTarget(url: string, user?: string, password?: string, timeoutMs = 10_000): ControlTarget {
  return {
    where: url,
    send: async (command, args) => {
      const r = await sendHttp(url, JSON.stringify(buildRequest(command, args)), { user, password, timeoutMs });
      if (r.status === 401) throw new Error(`${url} refused the credentials (HTTP 401)`);
      return parseAnswer(r.text);
    },
  };
}

/** The first client's user and password of an `authentication` map (files read as Kea reads them). */
export function configuredCredentials(auth: unknown): { user?: string; password?: string } {
  if (!auth || typeof auth !== "object") return {};
  const a = auth as Record<string, unknown>;
  const c = (Array.isArray(a.clients) ? a.clients[0] : undefined) as Record<string, unknown> | undefined;
  if (!c) return {};
  const dir = typeof a.directory === "string" ? a.directory : "";
  const read = (name: unknown) => {
    const n = String(name);
    const path = n.startsWith("/") || !dir ? n : `${dir.replace(/\/$/, "")}/${n}`;
    return Deno.readTextFileSync(path).replace(/\r?\n$/, "");
  };
  if (c["password-file"] !== undefined && c.user === undefined && c["user-file"] === undefined) {
    const secret = read(c["password-file"]);
    const colon = secret.indexOf(":");
    return colon < 0 ? {} : { user: secret.slice(0, colon), password: secret.slice(colon + 1) };
  }
  return {
    user: c["user-file"] !== undefined ? read(c["user-file"]) : String(c.user ?? ""),
    password: c["password-file"] !== undefined ? read(c["password-file"]) : String(c.password ?? ""),
  };
}

/**
 * The target the options name, else the one the configured `specs` offer (a unix socket whose file exists first),
 * else undefined (no control socket: the caller says so or reads the store).
 */
export function findTarget(opts: TargetOptions, specs: readonly ControlSocketSpec[] = []): ControlTarget | undefined {
  const t = opts.timeoutMs;
  if (opts.socket) return unixTarget(opts.socket, t);
  if (opts.host !== undefined || opts.port !== undefined) {
    const host = opts.host ?? "127.0.0.1";
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${opts.port ?? 8000}/`;
    return httpTarget(url, opts.authUser, opts.authPassword, t);
  }
  const unix = specs.find((s) => s.type === "unix" && s.name && exists(s.name));
  if (unix) return unixTarget(unix.name!, t);
  const http = specs.find((s) => s.type === "http");
  if (!http) return undefined;
  let host = http.address ?? "127.0.0.1";
  if (host === "0.0.0.0") host = "127.0.0.1";
  if (host === "::") host = "::1";
  const { user, password } = configuredCredentials(http.raw.authentication);
  return httpTarget(`http://${host.includes(":") ? `[${host}]` : host}:${http.port ?? 8000}/`, user, password, t);
}
