/** Small helpers of the server edge: Kea's client label for logs. */
import { hwAddr, Opt, type Packet4 } from "./packet.ts";
import { toColonHex } from "../wire/addr.ts";

/**
 * Kea's client label: `[hwtype=1 aa:bb:cc:dd:ee:ff], cid=[01:aa:…], tid=0x1234abcd`. Hex only, so nothing the
 * client sends can break the line; a client identifier over 64 bytes is cut there (`…(N bytes)`), so a label
 * stays short (docs/ARCHITECTURE.md rule 8).
 */
export function clientLabel(p: Packet4): string {
  const cid = p.options.get(Opt.CLIENT_ID);
  const cidText = !cid
    ? "no info"
    : cid.length > LABEL_CID_MAX
    ? `${toColonHex(cid.subarray(0, LABEL_CID_MAX))}...(${cid.length} bytes)`
    : toColonHex(cid);
  return `[hwtype=${p.htype} ${toColonHex(hwAddr(p))}], cid=[${cidText}], tid=0x${p.xid.toString(16)}`;
}

/** The most client identifier bytes a log label shows. */
export const LABEL_CID_MAX = 64;
