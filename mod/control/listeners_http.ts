/**
 * The HTTP and HTTPS control sockets of mod/control/listeners.ts (Kea's `control-socket` of type http/https): TLS
 * files, basic authentication, the WARN for an open socket off loopback. Loaded only when such a socket is
 * configured, so a role with a unix socket alone does not load the HTTP server, TLS and node:crypto (issue 16
 * item 5).
 */
import type { ControlSocketSpec } from "../config/model.ts";
import { basicAuthFrom } from "./basic_auth.ts";
import { HttpControlListener } from "./http_listener.ts";
import type { ListenerDeps } from "./listeners.ts";
import { readConfiguredFile, readTrustAnchor } from "./tls_files.ts";

/** Opens one http/https control socket of `spec` (Kea's HTTP control socket keys), answering through `deps`. */
export async function openHttpListener(spec: ControlSocketSpec, deps: ListenerDeps): Promise<HttpControlListener> {
  const raw = spec.raw;
  const auth = basicAuthFrom(raw.authentication as Record<string, unknown> | undefined, readConfiguredFile);
  let tls: { cert: string; key: string; ca?: string[] } | undefined;
  if (spec.type === "https" || raw["cert-file"] !== undefined) {
    const cert = raw["cert-file"], key = raw["key-file"];
    if (typeof cert !== "string" || typeof key !== "string") {
      throw new Error("an https control socket needs 'cert-file' and 'key-file'");
    }
    tls = { cert: readConfiguredFile(cert, "cert-file"), key: readConfiguredFile(key, "key-file") };
    const anchor = raw["trust-anchor"];
    if (typeof anchor === "string" && anchor !== "" && raw["cert-required"] !== false) {
      tls.ca = readTrustAnchor(anchor);
    }
  }
  const headers = ((raw["http-headers"] ?? []) as Record<string, string>[]).map((h) =>
    [h.name, h.value] as [string, string]
  );
  const hostname = spec.address ?? "127.0.0.1";
  if (!auth && !tls?.ca && !isLoopback(hostname)) {
    deps.log(
      "warn",
      "COMMAND_SOCKET_UNAUTHENTICATED",
      `control socket on ${hostname}:${spec.port ?? 8000} has no 'authentication' and no client certificates: ` +
        "anyone who reaches this address can run every command (add basic authentication or mutual TLS)",
    );
  }
  return await HttpControlListener.open({
    hostname,
    port: spec.port ?? 8000,
    tls,
    auth,
    headers,
    metrics: deps.metrics,
    page: deps.page !== false,
    log: deps.log,
  }, deps.dispatch);
}

/** True for an address only this host reaches (127.0.0.0/8, ::1). */
function isLoopback(host: string): boolean {
  return host.startsWith("127.") || host === "::1" || host === "localhost";
}
