/**
 * A role's end of Kea's DHCPv4-over-DHCPv6 channel (Dhcp6to4Ipc::open, Dhcp4to6Ipc::open): opened for
 * `dhcp4o6-port` when it is set — the DHCPv6 role on `[::1]:port`, the DHCPv4 role on `[::1]:port+1` — reopened
 * when a reload changes it, closed when it goes back to 0 and when the role stops. A port that cannot be bound is
 * one error line (Kea's "Failed to bind DHCP4o6 socket"); 4o6 messages are then dropped until a reload opens it.
 */
import type { Channel4o6, End4o6 } from "../net/dhcp4o6_channel.ts";
import type { Log } from "../log/logger.ts";

/** Who uses the channel: the DHCPv6 forwarder (mod/dhcp6/dhcp4o6_6.ts) or the DHCPv4 endpoint (dhcp4o6_4.ts). */
export interface Holder4o6 {
  channel?: Channel4o6;
}

/** Keeps `holder`'s channel on the configured port; see the module comment. */
export class Link4o6 {
  private port = 0;
  private chain: Promise<void> = Promise.resolve();
  private readonly prefix: string;

  constructor(
    private readonly holder: Holder4o6,
    private readonly onDatagram: (bytes: Uint8Array) => void,
    private readonly log: Log,
    private readonly end: End4o6 = "v6",
  ) {
    this.prefix = end === "v6" ? "DHCP6" : "DHCP4";
  }

  /** Opens, moves or closes the channel for `port` (0: closed); resolves once done. */
  apply(port: number): Promise<void> {
    this.chain = this.chain.then(() => this.switchTo(port));
    return this.chain;
  }

  /** Closes the channel (role stop). */
  close(): Promise<void> {
    return this.apply(0);
  }

  private async switchTo(port: number): Promise<void> {
    if (port === this.port) return;
    this.holder.channel?.close();
    this.holder.channel = undefined;
    this.port = 0;
    if (port === 0) return;
    try {
      // loaded when a port is configured: the channel's socket is Node's dgram (issue 16 item 5)
      const { openChannel4o6 } = await import("../net/dhcp4o6_channel.ts");
      this.holder.channel = await openChannel4o6(
        port,
        this.end,
        this.onDatagram,
        (m) => this.log.error(`${this.prefix}_DHCP4O6_SEND_FAIL`, m),
      );
      this.port = port;
      const [mine, peer] = this.end === "v6" ? [port, port + 1] : [port + 1, port];
      this.log.info(
        `${this.prefix}_DHCP4O6_CHANNEL`,
        `DHCPv4-over-DHCPv6 channel on [::1]:${mine}, the ${this.end === "v6" ? "DHCPv4" : "DHCPv6"} server at ` +
          `[::1]:${peer}`,
      );
    } catch (e) {
      this.log.error(`${this.prefix}_DHCP4O6_OPEN_FAIL`, (e as Error).message);
    }
  }
}
