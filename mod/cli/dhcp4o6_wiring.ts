/**
 * The DHCPv6 role's end of Kea's DHCPv4-over-DHCPv6 channel (Dhcp6to4Ipc::open): opened on `[::1]:dhcp4o6-port`
 * when the port is set, reopened when a reload changes it, closed when it goes back to 0 and when the role stops.
 * A port that cannot be bound is one error line (Kea's "Failed to bind DHCP4o6 socket"); DHCPV4-QUERY messages
 * are then dropped until a reload opens it.
 */
import { openChannel4o6 } from "../net/dhcp4o6_channel.ts";
import type { Forwarder4o6 } from "../dhcp6/dhcp4o6_6.ts";
import type { Log } from "../log/logger.ts";

/** Keeps the forwarder's channel on the configured port; see the module comment. */
export class Link4o6 {
  private port = 0;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly forwarder: Forwarder4o6, private readonly log: Log) {}

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
    this.forwarder.channel?.close();
    this.forwarder.channel = undefined;
    this.port = 0;
    if (port === 0) return;
    try {
      this.forwarder.channel = await openChannel4o6(
        port,
        "v6",
        (bytes) => this.forwarder.receive(bytes),
        (m) => this.log.error("DHCP6_DHCP4O6_SEND_FAIL", m),
      );
      this.port = port;
      this.log.info(
        "DHCP6_DHCP4O6_CHANNEL",
        `DHCPv4-over-DHCPv6: queries go to the DHCPv4 server at [::1]:${port + 1} from [::1]:${port}`,
      );
    } catch (e) {
      this.log.error("DHCP6_DHCP4O6_OPEN_FAIL", (e as Error).message);
    }
  }
}
