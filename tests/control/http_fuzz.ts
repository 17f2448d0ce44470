/**
 * A seeded HTTP fuzzer for the control and HA listeners: every request a hostile LAN device could send, built from
 * real request shapes and broken on purpose — garbage bytes, broken request lines and headers, lying
 * Content-Lengths, bad and huge chunks, oversized bodies, too many or too large headers, bit flips of a valid
 * request, pipelined mixes, and well-formed requests with mutated JSON (anonymous, wrong or right credentials; the
 * right ones only with read-only commands). Each request goes on its own connection, which the client then
 * half-closes (or, one in ten, abandons); the answer is read until the server closes or a short timeout, and its
 * status is counted. A few clients send half a request and stall for the
 * whole run. Used by tests/control/http_fuzz_test.ts (50 000 requests, in CI) and bench/fuzz_http.ts (100 000+).
 */

/** mulberry32: a small seeded generator, so a failing run can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One target listener: port, and the credentials that are right for it (if it has any). */
export interface FuzzTarget {
  port: number;
  auth?: { user: string; password: string };
}

const enc = new TextEncoder();
const SAFE_COMMANDS = ["version-get", "status-get", "list-commands", "statistic-get", "lease4-get", "ha-heartbeat"];
const ANY_COMMANDS = [...SAFE_COMMANDS, "shutdown", "dhcp-disable", "config-set", "lease4-update", "lease4-wipe"];

/** Builds one hostile request (bytes) for `t`. */
export function hostileRequest(r: () => number, t: FuzzTarget): Uint8Array {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const int = (n: number) => Math.floor(r() * n);
  const junk = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  const b64 = (s: string) => btoa(s);
  const body = () => {
    const cmd = t.auth ? pick(SAFE_COMMANDS) : pick(ANY_COMMANDS);
    const base = JSON.stringify({
      command: cmd,
      service: pick([["dhcp4"], ["dhcp6"], "dhcp4", [], undefined]),
      arguments: pick([{ name: "pkt4-received" }, { "ip-address": "198.18.1.1" }, [], "x", null, { a: { b: [1] } }]),
    });
    if (r() < 0.5) return base;
    const chars = [...base];
    for (let i = int(4); i >= 0; i--) chars[int(chars.length)] = pick(["{", "}", '"', "\\", "\u0000", ",", "ü", "]"]);
    return chars.join("");
  };
  const authHeader = () => {
    const k = int(4);
    if (k === 0 || !t.auth) return k === 1 ? `Authorization: Basic ${b64("admin:wrong")}\r\n` : "";
    if (k === 1) return `Authorization: Basic ${b64(`${t.auth.user}:${t.auth.password}`)}\r\n`;
    if (k === 2) return `Authorization: Basic !!!${"=".repeat(int(5))}\r\n`;
    return `Authorization: Bearer ${"a".repeat(int(200))}\r\n`;
  };
  const valid = () => {
    const b = body();
    return `POST / HTTP/1.1\r\nHost: x\r\n${authHeader()}Content-Type: application/json\r\n` +
      `Content-Length: ${enc.encode(b).length}\r\n\r\n${b}`;
  };
  switch (int(12)) {
    case 0:
      return junk(1 + int(4096));
    case 1:
      return enc.encode(
        `${pick(["GET", "POST", "PUT", "G\u0000T", "", "POST  ", "x".repeat(300)])} ${
          pick(["/", "*", "/metrics", "/" + "a".repeat(20_000), "http://h/x?y#z", ""])
        } ${pick(["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 x", ""])}\r\n\r\n`,
      );
    case 2:
      return enc.encode(
        `POST / HTTP/1.1\r\n${pick(["No colon", ": empty", "Bad Name: x", "X: " + "v".repeat(20_000)])}\r\n\r\n`,
      );
    case 3:
      return enc.encode(`GET / HTTP/1.1\r\n${"X-A: 1\r\n".repeat(60 + int(100))}\r\n`);
    case 4: { // a Content-Length that lies (short body: the server waits; long: the rest is the next "request")
      const b = body();
      const n = enc.encode(b).length;
      return enc.encode(
        `POST / HTTP/1.1\r\n${authHeader()}Content-Length: ${pick([n + 50, 1, 0, -1, "x"])}\r\n\r\n${b}`,
      );
    }
    case 5:
      return enc.encode(
        `POST / HTTP/1.1\r\nTransfer-Encoding: ${
          pick(["chunked", "gzip", "chunked, chunked"])
        }\r\n${authHeader()}\r\n` +
          pick(["5\r\nhello\r\n0\r\n\r\n", "zz\r\n", "ffffffff\r\n", "3\r\nabcd\r\n", "1;x=y\r\n{\r\n0\r\n\r\n", ""]),
      );
    case 6:
      return enc.encode(`POST / HTTP/1.1\r\n${authHeader()}Content-Length: ${5_000_000 + int(1e9)}\r\n\r\n{`);
    case 7:
      return enc.encode(`POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello`);
    case 8: { // bit flips of a valid request
      const v = enc.encode(valid());
      for (let i = 1 + int(8); i > 0; i--) v[int(v.length)] ^= 1 << int(8);
      return v;
    }
    case 9:
      return enc.encode(Array.from({ length: 2 + int(4) }, valid).join(""));
    case 10:
      return enc.encode(`GET ${pick(["/", "/metrics", "/x"])} HTTP/1.${int(2)}\r\n${authHeader()}\r\n`);
    default:
      return enc.encode(valid());
  }
}

/** What a fuzz run saw. */
export interface FuzzResult {
  requests: number;
  /** answers by HTTP status ("none": the server closed without an answer, e.g. a request it was still reading) */
  statuses: Record<string, number>;
  /** connections the server did not close within the read timeout (the client closed them) */
  waited: number;
  connectFailures: number;
  ms: number;
}

/**
 * Sends one request on a fresh connection, then (with `halfClose`) ends its sending side so the server sees the
 * end of the stream at once; the statuses of the answers, or "waited" when none came in time.
 */
async function one(
  port: number,
  bytes: Uint8Array,
  readMs: number,
  halfClose: boolean,
): Promise<string[] | "waited" | "refused"> {
  let c: Deno.TcpConn;
  try {
    c = await Deno.connect({ hostname: "127.0.0.1", port });
  } catch {
    return "refused";
  }
  let text = "", closed = false;
  const timer = setTimeout(() => {
    try {
      c.close();
    } catch { /* closed */ }
  }, readMs);
  try {
    await c.write(bytes).catch(() => {});
    if (halfClose) await c.closeWrite().catch(() => {});
    const buf = new Uint8Array(16384);
    while (true) {
      const n = await c.read(buf);
      if (n === null) break;
      if (text.length < 4096) text += new TextDecoder("latin1").decode(buf.subarray(0, n));
    }
    closed = true;
  } catch {
    /* our timer closed it, or a reset */
  } finally {
    clearTimeout(timer);
    try {
      c.close();
    } catch { /* closed */ }
  }
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
  if (statuses.length) return statuses;
  return closed ? ["none"] : "waited";
}

/**
 * Sends `count` hostile requests to the targets, `concurrency` at a time, while `stallers` connections per target
 * hold half a request open the whole time. `readMs` bounds the wait for each answer.
 */
export async function fuzzHttp(
  targets: FuzzTarget[],
  count: number,
  opts: { seed?: number; concurrency?: number; readMs?: number; stallers?: number; progress?: (n: number) => void } =
    {},
): Promise<FuzzResult> {
  const r = rng(opts.seed ?? 1);
  const res: FuzzResult = { requests: count, statuses: {}, waited: 0, connectFailures: 0, ms: 0 };
  const t0 = Date.now();
  const stalled: Deno.Conn[] = [];
  for (const t of targets) {
    for (let i = 0; i < (opts.stallers ?? 4); i++) {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: t.port });
      await c.write(enc.encode('POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"comm'));
      stalled.push(c);
    }
  }
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t = targets[i % targets.length];
      // most clients end their side after the request; one in ten just goes quiet and is abandoned
      const out = await one(t.port, hostileRequest(r, t), opts.readMs ?? 300, r() >= 0.1);
      if (out === "waited") res.waited++;
      else if (out === "refused") res.connectFailures++;
      else for (const s of out) res.statuses[s] = (res.statuses[s] ?? 0) + 1;
      if (i % 10_000 === 0) opts.progress?.(i);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 64 }, worker));
  for (const c of stalled) {
    try {
      c.close();
    } catch { /* closed by the server's deadline */ }
  }
  res.ms = Date.now() - t0;
  return res;
}
