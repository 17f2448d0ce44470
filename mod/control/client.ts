/**
 * A control-channel client (what kea-shell and socat do for Kea): sends one command over a unix socket or HTTP(S)
 * and returns the answer text. Used by `weka shell` and by the tests. Over HTTP the request goes as `POST` with
 * `Content-Type: application/json` and optional basic credentials; an HTTPS server's certificate is checked against
 * `caCert` when given.
 */

/** Builds Kea's request map: `{"command", "service"?, "arguments"?}`. */
export function buildRequest(command: string, args?: unknown, service?: string[]): Record<string, unknown> {
  const req: Record<string, unknown> = { command };
  if (service && service.length) req.service = service;
  if (args !== undefined) req.arguments = args;
  return req;
}

/**
 * Sends `body` to a unix control socket and returns everything the server writes before it closes the
 * connection (one JSON answer). Rejects after `timeoutMs` without an answer.
 */
export async function sendUnix(path: string, body: string, timeoutMs = 15_000): Promise<string> {
  const conn = await Deno.connect({ transport: "unix", path });
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    const data = new TextEncoder().encode(body);
    for (let off = 0; off < data.length;) off += await conn.write(data.subarray(off));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(65536);
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
    }
    const dec = new TextDecoder();
    return chunks.map((c) => dec.decode(c, { stream: true })).join("") + dec.decode();
  } catch (e) {
    throw new Error(`no answer from the control socket ${path}: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the server or the timer */ }
  }
}

/** Options of `sendHttp`. */
export interface HttpClientOptions {
  user?: string;
  password?: string;
  /** PEM CA certificate that signs the server's certificate (HTTPS) */
  caCert?: string;
  /** PEM client certificate and key, for servers that require one (mutual TLS) */
  clientCert?: { cert: string; key: string };
  timeoutMs?: number;
}

/** POSTs `body` to `url`; returns the HTTP status and the answer text. */
export async function sendHttp(
  url: string,
  body: string,
  opts: HttpClientOptions = {},
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (opts.user !== undefined) {
    const pair = new TextEncoder().encode(`${opts.user}:${opts.password ?? ""}`);
    headers.authorization = `Basic ${btoa(String.fromCharCode(...pair))}`;
  }
  const client = opts.caCert || opts.clientCert
    ? Deno.createHttpClient({ ...(opts.caCert ? { caCerts: [opts.caCert] } : {}), ...opts.clientCert })
    : undefined;
  try {
    const res = await fetch(url, {
      method: "POST",
      headers,
      body,
      client,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
    return { status: res.status, text: await res.text() };
  } finally {
    client?.close();
  }
}
