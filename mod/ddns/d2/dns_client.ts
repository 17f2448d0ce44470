/**
 * The DNS side's I/O edge (Kea's `DNSClient`): sends one RFC 2136 UPDATE over UDP, TSIG-signed whenever the server
 * has a key, waits `dns-server-timeout` for the answer and verifies it, and reports the outcome as a transaction
 * event. One socket per address family serves every transaction; answers are matched by server and message ID.
 * Sockets are node:dgram (an FFI socket was measured too: no gain at D2's rate of a few hundred datagrams/s).
 */
import dgram from "node:dgram";
import { Opcode } from "../dns/constants.ts";
import { formatIpv6, parseIpv6 } from "../dns/ipv6.ts";
import { decodeMessage, encodeMessage } from "../dns/message.ts";
import { signMessage, verifyMessage } from "../dns/tsig.ts";
import { updateMessage } from "../dns/update.ts";
import type { D2Server } from "./config.ts";
import type { TxEvent } from "./transaction.ts";
import type { StepUpdate } from "./updates.ts";

interface Pending {
  server: D2Server;
  requestMac?: Uint8Array;
  timer: ReturnType<typeof setTimeout>;
  resolve(ev: TxEvent): void;
}

/** Sends updates; `now` gives unix seconds for TSIG. */
export interface UpdateSender {
  send(server: D2Server, zone: string, update: StepUpdate): Promise<TxEvent>;
  close(): Promise<void>;
}

/**
 * Opens the UDP client. Every update to a server with a key is signed (an update for a keyed zone is never sent
 * unsigned); its answer must carry a valid TSIG over the request MAC (RFC 8945 §5.3.2), else the answer counts as
 * a bad response, as Kea's INVALID_RESPONSE does. Answers from another address or port are ignored.
 */
export function openDnsClient(
  timeoutMs: number,
  now: () => number = () => Math.floor(Date.now() / 1000),
): UpdateSender {
  const pending = new Map<number, Pending>();
  let closed = false;
  const sockets = new Map<string, Transport>();
  const onMessage = (msg: Uint8Array, rinfo: { address: string; port: number }) => {
    if (msg.length < 12) return;
    const id = (msg[0] << 8) | msg[1];
    const p = pending.get(id);
    if (!p || p.server.port !== rinfo.port || normalise(p.server.ip) !== normalise(rinfo.address)) return;
    pending.delete(id);
    clearTimeout(p.timer);
    p.resolve(judge(new Uint8Array(msg), p));
  };
  const judge = (bytes: Uint8Array, p: Pending): TxEvent => {
    let m;
    try {
      m = decodeMessage(bytes);
    } catch (e) {
      return { kind: "bad-response", reason: `malformed answer: ${(e as Error).message}` };
    }
    if (!m.qr || m.opcode !== Opcode.UPDATE) {
      return { kind: "bad-response", reason: "answer is not an UPDATE response" };
    }
    if (p.server.key) {
      const v = verifyMessage(bytes, p.server.key, { now: now(), requestMac: p.requestMac, decoded: m });
      if (!v.ok) return { kind: "bad-response", reason: `TSIG check of the answer failed: ${v.reason}` };
    }
    return { kind: "response", rcode: m.rcode };
  };
  const socketFor = (ip: string): Transport => {
    const fam = ip.includes(":") ? "udp6" : "udp4";
    let t = sockets.get(fam);
    if (!t) {
      t = dgramTransport(fam, onMessage);
      sockets.set(fam, t);
    }
    return t;
  };
  const freeId = () => {
    for (;;) {
      const id = Math.floor(Math.random() * 0x10000);
      if (!pending.has(id)) return id;
    }
  };
  return {
    send(server, zone, update) {
      if (closed) return Promise.resolve({ kind: "io-error", reason: "the DNS client is shut down" });
      return new Promise<TxEvent>((resolve) => {
        const id = freeId();
        let bytes = encodeMessage(updateMessage(id, zone, update.prereqs, update.updates));
        let requestMac: Uint8Array | undefined;
        if (server.key) {
          const signed = signMessage(bytes, server.key, { now: now() });
          bytes = signed.bytes;
          requestMac = signed.mac;
        }
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ kind: "timeout" });
        }, timeoutMs);
        pending.set(id, { server, requestMac, timer, resolve });
        socketFor(server.ip).send(bytes, server.ip, server.port, (err: Error) => {
          if (pending.get(id)?.timer === timer) {
            pending.delete(id);
            clearTimeout(timer);
            resolve({ kind: "io-error", reason: err.message });
          }
        });
      });
    },
    async close() {
      closed = true;
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.resolve({ kind: "io-error", reason: "shutting down" });
      }
      pending.clear();
      await Promise.all([...sockets.values()].map((s) => s.close()));
      sockets.clear();
    },
  };
}

/** One UDP socket of the client: send with an error callback, incoming datagrams to the handler. */
interface Transport {
  send(data: Uint8Array, ip: string, port: number, onError: (e: Error) => void): void;
  close(): Promise<void>;
}
type OnMessage = (msg: Uint8Array, rinfo: { address: string; port: number }) => void;

/** node:dgram without a recvBufferSize: asking for a large buffer makes Deno allocate that much per receive. */
function dgramTransport(fam: "udp4" | "udp6", onMessage: OnMessage): Transport {
  const s = dgram.createSocket({ type: fam });
  s.on("message", (m: Uint8Array, r: { address: string; port: number }) => onMessage(new Uint8Array(m), r));
  s.on("error", () => {});
  return {
    send(data, ip, port, onError) {
      s.send(data, port, ip, (err: Error | null) => err && onError(err));
    },
    close: () => new Promise<void>((r) => s.close(() => r())),
  };
}

function normalise(ip: string): string {
  const t = ip.toLowerCase().replace(/^::ffff:(?=\d+\.)/, "");
  const v6 = t.includes(":") ? parseIpv6(t) : undefined;
  return v6 ? formatIpv6(v6) : t;
}
