/**
 * Kea's DHCPv4-over-DHCPv6 channel between its two servers (Dhcp4o6IpcBase::open): one UDP socket on the IPv6
 * loopback — the DHCPv6 server's bound to `[::1]:dhcp4o6-port` and talking to `[::1]:dhcp4o6-port + 1`, the
 * DHCPv4 server's the other way round. Kea connects the socket, so only its peer's datagrams arrive; weka's socket
 * drops anything from another source the same way. Datagrams are whole DHCPv6 messages (mod/packet6/dhcp4o6.ts).
 */
import dgram from "node:dgram";
import { Buffer } from "node:buffer";

/** Which end of the channel (Kea's ENDPOINT_TYPE_V6 / ENDPOINT_TYPE_V4). */
export type End4o6 = "v6" | "v4";

/** An open channel: send to the peer, close. */
export interface Channel4o6 {
  readonly port: number;
  send(bytes: Uint8Array): void;
  close(): void;
}

/**
 * Opens the channel end for `port` (1..65534, Kea's check): binds `[::1]:port` (v6) or `[::1]:port+1` (v4) and
 * calls `onDatagram` for each datagram from the peer's port on `::1`; `onError` gets send/receive failures.
 * Rejects when the address is taken (Kea's "Failed to bind DHCP4o6 socket").
 */
export function openChannel4o6(
  port: number,
  end: End4o6,
  onDatagram: (bytes: Uint8Array) => void,
  onError: (message: string) => void,
): Promise<Channel4o6> {
  if (!Number.isInteger(port) || port < 1 || port > 65534) {
    return Promise.reject(new RangeError(`DHCP4o6 port ${port} is out of range 1..65534`));
  }
  const local = end === "v6" ? port : port + 1;
  const peer = end === "v6" ? port + 1 : port;
  const sock = dgram.createSocket({ type: "udp6", ipv6Only: true });
  return new Promise((resolve, reject) => {
    sock.once("error", (e) => reject(new Error(`failed to bind DHCP4o6 socket [::1]:${local}: ${e.message}`)));
    sock.bind(local, "::1", () => {
      sock.removeAllListeners("error");
      sock.on("error", (e) => onError(e.message));
      sock.on("message", (msg: Uint8Array, rinfo: { address: string; port: number }) => {
        if (rinfo.port !== peer || rinfo.address !== "::1") return;
        onDatagram(new Uint8Array(msg));
      });
      let open = true;
      resolve({
        port,
        send(bytes) {
          if (!open) return;
          sock.send(Buffer.from(bytes), peer, "::1", (e) => {
            if (e) onError(`failed to send DHCP4o6 message over the IPC: ${e.message}`);
          });
        },
        close() {
          if (!open) return;
          open = false;
          sock.close();
        },
      });
    });
  });
}
