/**
 * Who the DHCPv6 client is: its DUID (option 1, RFC 8415 §11), a hardware address derived the way Kea's
 * `mac-sources` "any" derives one (RFC 6939 client link-layer address from the relay closest to the client, the
 * link-layer address inside a DUID-LLT/DUID-LL, the EUI-64 of a link-local address), Kea's log label, and the
 * host reservation keys to look up.
 */
import { getOption6, type Message6, Opt6, type Relay6 } from "../../packet6/packet.ts";
import type { HostIdType6 } from "../../config/model6.ts";

export interface Client6 {
  /** DUID as lower-case colon hex, "" when the query has no client id */
  duid: string;
  /** hardware address as colon hex, "" when none could be derived */
  hwaddr: string;
  /** Kea's `Pkt6::getLabel()`: `duid=[…], [hwaddr info], tid=0x…` */
  label: string;
  /** the client's host identifiers as reservation keys (`duid=…`, `hw-address=…`), in lookup order */
  hostKeys: string[];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Lower-case colon hex of `b`. */
export function colonHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += i ? ":" + HEX[b[i]] : HEX[b[i]];
  return s;
}

/**
 * The longest hardware address taken from a packet: Kea's HWAddr::MAX_HWADDR_LEN (20 octets, the size of an
 * InfiniBand address). A longer one is ignored (the next source is tried), as Kea refuses to build it.
 */
export const MAX_HWADDR_LEN = 20;

/** The link-layer address inside a DUID-LLT (type 1) or DUID-LL (type 3), RFC 8415 §11.2 and §11.4. */
function duidHw(duid: Uint8Array | undefined): Uint8Array | undefined {
  if (!duid || duid.length < 4) return undefined;
  const type = (duid[0] << 8) | duid[1];
  const hw = type === 1 && duid.length > 8
    ? duid.subarray(8)
    : type === 3 && duid.length > 4
    ? duid.subarray(4)
    : undefined;
  return hw && hw.length <= MAX_HWADDR_LEN ? hw : undefined;
}

/** The MAC of a modified-EUI-64 link-local address (fe80::/64 with ff:fe in the middle), RFC 4291 App. A. */
function eui64Hw(a: Uint8Array | undefined): Uint8Array | undefined {
  if (!a || a.length !== 16 || a[0] !== 0xfe || (a[1] & 0xc0) !== 0x80 || a[11] !== 0xff || a[12] !== 0xfe) {
    return undefined;
  }
  return Uint8Array.of(a[8] ^ 0x02, a[9], a[10], a[13], a[14], a[15]);
}

/**
 * Identifies the client of `msg` (relayed through `relays`, outermost first; `src` is the datagram's source).
 * The hardware address comes from, in order: option 79 of the relay closest to the client (RFC 6939 §4), the
 * DUID (LLT or LL), the EUI-64 interface id of the client's link-local address (the innermost relay's
 * peer-address, or the source of a direct query), as Kea's default `mac-sources: ["any"]` tries them; an address
 * over {@link MAX_HWADDR_LEN} octets from the first two is passed over.
 */
export function identifyClient6(
  msg: Message6,
  relays: readonly Relay6[],
  src: Uint8Array,
  idTypes: readonly HostIdType6[],
): Client6 {
  const duidBytes = getOption6(msg.options, Opt6.CLIENTID);
  const duid = duidBytes && duidBytes.length ? colonHex(duidBytes) : "";
  const inner = relays.length ? relays[relays.length - 1] : undefined;
  let hw: Uint8Array | undefined;
  const lla = inner ? getOption6(inner.options, Opt6.CLIENT_LINKLAYER_ADDR) : undefined;
  if (lla && lla.length > 2 && lla.length - 2 <= MAX_HWADDR_LEN) hw = lla.subarray(2);
  hw ??= duidHw(duidBytes) ?? eui64Hw(inner ? inner.peerAddress : src);
  const hwaddr = hw ? colonHex(hw) : "";
  // the label and the host keys are built when first read: most packets need neither (no INFO log, no host)
  let label: string | undefined, hostKeys: string[] | undefined;
  return {
    duid,
    hwaddr,
    get label() {
      return label ??= `duid=[${labelHex(duid) || "no info"}], ${
        hwaddr ? `[hwaddr=${labelHex(hwaddr)}]` : "[no hwaddr info]"
      }, tid=0x${msg.transactionId.toString(16)}`;
    },
    get hostKeys() {
      if (!hostKeys) {
        hostKeys = [];
        for (const t of idTypes) {
          if (t === "duid" && duid) hostKeys.push(`duid=${duid}`);
          else if (t === "hw-address" && hwaddr) hostKeys.push(`hw-address=${hwaddr}`);
        }
      }
      return hostKeys;
    },
  };
}

/**
 * Colon hex cut to its first 64 bytes for a log label (`…(N bytes)` says the whole size): a DUID or a relayed
 * link-layer address can be kilobytes long, and one packet must stay one short log line (docs/ARCHITECTURE.md rule 8).
 */
export function labelHex(colon: string): string {
  if (colon.length <= 64 * 3 - 1) return colon;
  return `${colon.slice(0, 64 * 3 - 1)}...(${(colon.length + 1) / 3} bytes)`;
}
