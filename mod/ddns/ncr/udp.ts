/**
 * The I/O edge for NameChangeRequests over UDP (Kea's `NameChangeUDPListener` / `NameChangeUDPSender`): one datagram
 * carries one framed NCR. The receiver picks the cheapest socket the runtime offers (see {@link listenNcr}); the
 * sender uses node:dgram, which needs no unstable flag in Deno.
 */
import dgram from "node:dgram";
import { formatIpv4, parseIpv4 } from "../../wire/addr.ts";
import { UdpSocket4 } from "../../net/udp4.ts";
import { NativeUdp } from "../../net/native_udp.ts";
import { decodeNcr, encodeNcr, type NameChangeRequest, NcrError } from "./ncr.ts";

/**
 * Callbacks of a receiver: a good request, or a datagram that could not be read (counted as ncr-invalid), and
 * `onError` for a failure of the receiver itself (a Kea message id and text; it recovers on its own).
 */
export interface NcrHandlers {
  onRequest(ncr: NameChangeRequest, from: string): void;
  onInvalid(reason: string, from: string): void;
  onError?(id: string, text: string): void;
}

/** A bound receiver. */
export interface NcrReceiver {
  readonly port: number;
  close(): Promise<void>;
}

/** Receive buffer asked for (SO_RCVBUFFORCE as root): room for a burst of several thousand NCRs. */
const RCVBUF = 8 << 20;

/** The first and the longest wait before receiving again after a receive error, ms. */
export const RECV_RETRY_MS = { first: 100, max: 5000 };

function report(h: NcrHandlers, id: string, text: string): void {
  try {
    h.onError?.(id, text);
  } catch { /* a failing reporter must not end the receiver */ }
}

const why = (e: unknown) => e instanceof Error ? e.message : String(e);

/**
 * Decodes one datagram and hands it on. Nothing a datagram or a handler does escapes: a handler that throws is
 * logged as Kea's DHCP_DDNS_QUEUE_MGR_UNEXPECTED_HANDLER_ERROR and the next datagram is served.
 */
function deliver(h: NcrHandlers, data: Uint8Array, from: string): void {
  try {
    let ncr: NameChangeRequest;
    try {
      ncr = decodeNcr(data);
    } catch (e) {
      h.onInvalid(e instanceof NcrError ? e.message : String(e), from);
      return;
    }
    h.onRequest(ncr, from);
  } catch (e) {
    report(h, "DHCP_DDNS_QUEUE_MGR_UNEXPECTED_HANDLER_ERROR", `handling a request from ${from} failed: ${why(e)}`);
  }
}

/**
 * Binds a UDP receiver on ip:port (D2's `ip-address`/`port`, default 127.0.0.1:53001) and hands each datagram,
 * decoded, to the handlers; a bad datagram never stops the receiver. It uses, in this order:
 *  - Deno's own UDP socket (`Deno.listenDatagram`, present with deno.json's `"unstable": ["net"]` or
 *    --unstable-net): it waits in the runtime's event loop, so a wake-up costs the JavaScript thread alone
 *    (measured on loopback: ~50 µs of CPU, against ~100 µs for a poll(2) on the FFI socket, whose readiness wait
 *    is a hop to a pool thread and back); through its borrowed descriptor (mod/net/native_udp.ts) its receive
 *    buffer is raised to 8 MiB and a wake-up drains every queued datagram;
 *  - for IPv4 with a fixed port, the project's FFI socket (mod/net) with an 8 MiB receive buffer and batch
 *    draining, because node:dgram in Deno loses most of a burst (measured: 166 of 2 000 received);
 *  - otherwise (IPv6 or port 0 without the Deno socket, no FFI permission) node:dgram.
 * `opts.native: false` skips Deno's socket (tests of the runtimes without it).
 */
export async function listenNcr(
  ip: string,
  port: number,
  h: NcrHandlers,
  opts: { native?: boolean } = {},
): Promise<NcrReceiver> {
  const native = opts.native === false ? undefined : nativeSource(ip, port);
  if (native) return receiveLoop(native.source, native.port, h);
  const v4 = parseIpv4(ip);
  if (v4 !== undefined && port !== 0) {
    let sock: UdpSocket4 | undefined;
    try {
      sock = UdpSocket4.open({ port, bindAddr: v4, bindToDevice: false, broadcast: true, rcvbuf: RCVBUF });
    } catch (e) {
      if (!(e instanceof TypeError) && !/dlopen|ffi|permission/i.test(String(e))) throw e;
    }
    if (sock) return receiveLoop(ffiSource(sock), port, h);
  }
  return await dgramReceiver(ip, port, h);
}

/** One received datagram and its sender as "address:port". */
export interface SourcedDatagram {
  data: Uint8Array;
  from: string;
}

/** What the receive loop reads from: Deno's UDP socket or the FFI socket of mod/net (a test may give a failing one). */
export interface DatagramSource {
  readonly closed: boolean;
  recvBatch(max: number): Promise<SourcedDatagram[]>;
  close(): void;
}

/** The FFI socket as a source: batches drained after one readiness wait. */
function ffiSource(sock: UdpSocket4): DatagramSource {
  return {
    get closed() {
      return sock.closed;
    },
    async recvBatch(max) {
      const batch = await sock.recvBatch(max);
      return batch.map((d) => ({ data: d.data, from: `${formatIpv4(d.srcAddr)}:${d.srcPort}` }));
    },
    close: () => sock.close(),
  };
}

/**
 * Deno's UDP socket as a source (mod/net/native_udp.ts NativeUdp), its receive buffer raised to {@link RCVBUF}: a
 * burst costs one wake-up per batch, not per datagram. Undefined without `Deno.listenDatagram`, or when the
 * runtime's --allow-net does not list the address (the FFI socket needs no net permission).
 */
function nativeSource(ip: string, port: number): { source: DatagramSource; port: number } | undefined {
  let sock;
  try {
    sock = NativeUdp.open(ip, port, RCVBUF);
  } catch (e) {
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) return undefined;
    throw e;
  }
  if (!sock) return undefined;
  const s = sock;
  return {
    port: s.port,
    source: {
      get closed() {
        return s.closed;
      },
      async recvBatch(max) {
        // "address:port", as node:dgram's receiver wrote it
        return (await s.receive(max)).map((d) => ({ data: d.data, from: `${d.address}:${d.port}` }));
      },
      close: () => s.close(),
    },
  };
}

/**
 * D2's receive loop over `sock` (Kea's NameChangeUDPListener): batches of datagrams, each delivered on its own. A
 * receive error is logged (DHCP_DDNS_NCR_UDP_RECV_ERROR) and receiving starts again after a pause that doubles
 * from {@link RECV_RETRY_MS}.first to .max while errors repeat; only `close` ends the loop.
 */
export function receiveLoop(sock: DatagramSource, port: number, h: NcrHandlers): NcrReceiver {
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => (wake = undefined, resolve()), ms);
      wake = () => (clearTimeout(t), wake = undefined, resolve());
    });
  const loop = (async () => {
    let failures = 0;
    while (!sock.closed) {
      let batch;
      try {
        batch = await sock.recvBatch(256);
        failures = 0;
      } catch (e) {
        if (sock.closed) break;
        const ms = Math.min(RECV_RETRY_MS.first * 2 ** failures++, RECV_RETRY_MS.max);
        report(h, "DHCP_DDNS_NCR_UDP_RECV_ERROR", `receiving NameChangeRequests failed: ${why(e)}; again in ${ms} ms`);
        await pause(ms);
        continue;
      }
      for (const d of batch) deliver(h, d.data, d.from);
    }
  })().catch((e) => report(h, "DHCP_DDNS_NCR_UDP_RECV_ERROR", `the NCR receiver stopped: ${why(e)}`));
  return {
    port,
    async close() {
      sock.close();
      wake?.();
      await loop;
    },
  };
}

function dgramReceiver(ip: string, port: number, h: NcrHandlers): Promise<NcrReceiver> {
  // no recvBufferSize: Deno's node:dgram allocates a buffer of that size for every receive (measured: 8 MiB makes
  // each datagram cost about 1 ms), so the fallback keeps the kernel default and can lose part of a large burst
  const sock = dgram.createSocket({ type: ip.includes(":") ? "udp6" : "udp4" });
  sock.on("message", (msg: Uint8Array, rinfo: { address: string; port: number }) => {
    deliver(h, new Uint8Array(msg), `${rinfo.address}:${rinfo.port}`);
  });
  return new Promise((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(port, ip, () => {
      sock.off("error", reject);
      // node:dgram keeps receiving after an error event: logged, never thrown (an unhandled 'error' would be)
      sock.on("error", (e: Error) => report(h, "DHCP_DDNS_NCR_UDP_RECV_ERROR", `NCR socket error: ${why(e)}`));
      resolve({
        port: sock.address().port,
        close: () => new Promise<void>((r) => sock.close(() => r())),
      });
    });
  });
}

/** A sender that writes framed NCRs to one D2 (the DHCP side's `server-ip`/`server-port`). */
export interface NcrSender {
  send(ncr: NameChangeRequest): Promise<void>;
  close(): void;
}

/** Opens a UDP sender bound to sender-ip/sender-port (0 = any) towards server-ip:server-port. */
export function openNcrSender(serverIp: string, serverPort: number, senderIp = "", senderPort = 0): NcrSender {
  const sock = dgram.createSocket(serverIp.includes(":") ? "udp6" : "udp4");
  if (senderIp || senderPort) sock.bind(senderPort, senderIp || undefined);
  return {
    send: (ncr) =>
      new Promise((resolve, reject) => {
        sock.send(encodeNcr(ncr), serverPort, serverIp, (err: Error | null) => (err ? reject(err) : resolve()));
      }),
    close: () => sock.close(),
  };
}
