/**
 * The sending side of the HA partner protocol (Kea's HA hook talks to its partner through the partner's Control
 * Agent or its own HTTP listener): one command is POSTed as Kea's control request
 * `{"command": …, "service": ["dhcp4"], "arguments": …}` with `Content-Type: application/json` and, when the peer
 * is configured with `basic-auth-user`, an HTTP basic `Authorization` header. Kea's Control Agent and Kea's (and
 * weka's) HTTP control sockets wrap the answer in a one-element list; a bare map is accepted too. Every failure to
 * get an answer (network error, timeout, HTTP status other than 200, an answer that is not Kea's JSON) becomes one
 * `PeerError` whose message names the peer, its URL and the command, so the operator can tell which link broke.
 */
import { readConfiguredFile, readTrustAnchor } from "../control/tls_files.ts";
import type { HaPeer } from "../config/model_ha.ts";
import { Http1Client, MAX_ANSWER_BYTES } from "./http1_client.ts";

/** A partner's answer to one command (Kea's `{"result", "text", "arguments"}`). */
export interface PeerAnswer {
  result: number;
  text?: string;
  arguments?: Record<string, unknown>;
}

/** The partner could not be asked: no connection, no answer in time, an HTTP error or an answer that is not JSON. */
export class PeerError extends Error {
  constructor(
    readonly peer: string,
    readonly command: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "PeerError";
  }
}

/** Options of a PeerClient. */
export interface PeerClientOptions {
  /** per-command timeout in milliseconds (default 10 000, Kea's HA client default) */
  timeoutMs?: number;
  /**
   * the fetch to use (tests inject one; default the global fetch). Without one, the lease updates to a plain
   * `http://` peer (thousands a second under load) go through an {@link Http1Client} instead: persistent
   * connections, a fraction of fetch's cost per request; the occasional commands and `https://` peers use fetch.
   */
  fetchFn?: typeof fetch;
  /** the Kea service the commands are for (`"service": ["dhcp6"]` for a kea-dhcp6 partner); "dhcp4" by default */
  service?: "dhcp4" | "dhcp6";
}

/** The `Authorization` header value of HTTP basic authentication (RFC 7617), UTF-8 credentials. */
export function basicAuthHeader(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/**
 * Extracts the answer from the body text of a Kea control response: a one-element list (Kea's Control Agent and
 * HTTP control sockets) or a bare map (a 403 from RBAC, or a peer that does not wrap). Returns an error text when
 * the body is not such an answer.
 */
export function parsePeerAnswer(body: string): PeerAnswer | string {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (e) {
    return `the answer is not JSON (${(e as Error).message}): ${JSON.stringify(body.slice(0, 80))}`;
  }
  if (Array.isArray(v)) {
    if (v.length !== 1) return `the answer is a list of ${v.length} answers where exactly one was expected`;
    v = v[0];
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) return "the answer is not a JSON map";
  const a = v as Record<string, unknown>;
  if (typeof a.result !== "number" || !Number.isInteger(a.result)) {
    return "the answer has no integer 'result'";
  }
  const out: PeerAnswer = { result: a.result };
  if (typeof a.text === "string") out.text = a.text;
  if (a.arguments !== undefined) {
    if (a.arguments === null || typeof a.arguments !== "object" || Array.isArray(a.arguments)) {
      // Kea answers list-commands with a list: keep it reachable under `arguments.list`.
      out.arguments = { list: a.arguments };
    } else out.arguments = a.arguments as Record<string, unknown>;
  }
  return out;
}

/** The lease-update commands sent thousands a second under load (through the persistent HTTP/1.1 client). */
const LEASE_UPDATES = new Set(["lease4-update", "lease4-del", "lease6-bulk-apply"]);

/** Sends commands to one HA peer. */
export class PeerClient {
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  private httpClient?: Deno.HttpClient;
  private http1?: Http1Client;
  private readonly service: "dhcp4" | "dhcp6";

  constructor(readonly peer: HaPeer, opts: PeerClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.service = opts.service ?? "dhcp4";
    this.fetchFn = opts.fetchFn ?? fetch;
    if (!opts.fetchFn && !peer.tls && peer.url.startsWith("http://")) this.http1 = new Http1Client(peer.url);
  }

  /**
   * The TLS client for an `https://` peer with `trust-anchor`/`cert-file`/`key-file` (Kea's HA TLS client): the
   * trust anchor is a PEM file or a directory of PEM files; the certificate and key authenticate this server.
   */
  private tlsClient(): Deno.HttpClient | undefined {
    const tls = this.peer.tls;
    if (!tls) return undefined;
    if (this.httpClient) return this.httpClient;
    try {
      this.httpClient = Deno.createHttpClient({
        caCerts: readTrustAnchor(tls.trustAnchor),
        cert: readConfiguredFile(tls.certFile, "cert-file"),
        key: readConfiguredFile(tls.keyFile, "key-file"),
      });
    } catch (e) {
      throw new PeerError(this.peer.name, "", `HA peer '${this.peer.name}': ${(e as Error).message}`);
    }
    return this.httpClient;
  }

  /** Releases the TLS client, if one was made, and the idle connections of a plain http peer. */
  close(): void {
    this.httpClient?.close();
    this.httpClient = undefined;
    this.http1?.close();
  }

  /**
   * Sends `command` (with `arguments` when given) for this client's service (dhcp4 or dhcp6: Kea's HA service
   * inserts the service of the relationship's server type) and returns the partner's answer, whatever
   * its result code: deciding what a result 1, 2 or 3 means is the caller's business, as in Kea's HA service.
   * Throws PeerError when no answer could be had.
   */
  async send(command: string, args?: Record<string, unknown>): Promise<PeerAnswer> {
    const req: Record<string, unknown> = { command, service: [this.service] };
    if (args !== undefined) req.arguments = args;
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.peer.basicAuth) {
      headers.authorization = basicAuthHeader(this.peer.basicAuth.user, this.peer.basicAuth.password);
    }
    const where = `HA peer '${this.peer.name}' (${this.peer.url})`;
    const fail = (why: string, status?: number) =>
      new PeerError(this.peer.name, command, `${where} did not answer '${command}': ${why}`, status);
    let res: { status: number; statusText: string };
    let body: string;
    try {
      if (this.http1 && LEASE_UPDATES.has(command)) {
        const r = await this.http1.post(JSON.stringify(req), headers, this.timeoutMs);
        res = r;
        body = r.body;
      } else {
        const signal = AbortSignal.timeout(this.timeoutMs);
        const client = this.tlsClient();
        const init: RequestInit & { client?: Deno.HttpClient } = {
          method: "POST",
          headers,
          body: JSON.stringify(req),
          signal,
        };
        if (client) init.client = client;
        const r = await this.fetchFn(this.peer.url, init);
        body = await limitedText(r, MAX_ANSWER_BYTES);
        res = r;
      }
    } catch (e) {
      const err = e as Error;
      if (err.name === "TimeoutError" || err.name === "AbortError") {
        throw fail(`no answer within ${this.timeoutMs} ms`);
      }
      throw fail(`communication failed: ${err.message}`);
    }
    if (res.status === 401 || res.status === 403) {
      const how = this.peer.basicAuth ? `user '${this.peer.basicAuth.user}' was refused` : "no credentials are set";
      throw fail(
        `HTTP ${res.status} ${res.statusText}: check basic-auth-user/basic-auth-password (${how})`,
        res.status,
      );
    }
    if (res.status !== 200) {
      throw fail(`HTTP ${res.status} ${res.statusText}: ${body.slice(0, 120)}`, res.status);
    }
    const a = parsePeerAnswer(body);
    if (typeof a === "string") throw fail(a, res.status);
    return a;
  }
}

/** The body of a fetch answer as text, refusing one over `max` bytes (declared or actual) without reading it all. */
async function limitedText(r: Response, max: number): Promise<string> {
  if (Number(r.headers.get("content-length") ?? 0) > max || !r.body) {
    await r.body?.cancel();
    if (!r.body) return "";
    throw new Error(`the answer is larger than ${max} bytes`);
  }
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const c of r.body) {
    total += c.length;
    if (total > max) throw new Error(`the answer is larger than ${max} bytes`);
    parts.push(c);
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return new TextDecoder().decode(all);
}
