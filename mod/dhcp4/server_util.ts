/** Small helpers of the server edge: Kea's client label for logs. */
import { hwAddr, Opt, type Packet4 } from "./packet.ts";
import { toColonHex } from "../wire/addr.ts";

/** Kea's client label: `[hwtype=1 aa:bb:cc:dd:ee:ff], cid=[01:aa:…], tid=0x1234abcd`. */
export function clientLabel(p: Packet4): string {
  const cid = p.options.get(Opt.CLIENT_ID);
  return `[hwtype=${p.htype} ${toColonHex(hwAddr(p))}], cid=[${cid ? toColonHex(cid) : "no info"}], tid=0x${
    p.xid.toString(16)
  }`;
}
