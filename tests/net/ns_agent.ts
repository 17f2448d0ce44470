/**
 * A small program the namespace tests run inside lab hosts (`deno run -A ns_agent.ts MODE …`), so that sockets are
 * opened in that host's network namespace. It prints one JSON line per event; "READY" once listening.
 *
 *   serve IFACES PORT RAW     FfiTransport on IFACES (comma list, or "*"); prints every datagram; answers
 *                             "bcast…" with a broadcast "re:…" out of the arrival interface, and
 *                             "link MAC YIADDR" with a link-layer unicast "linkreply" to that MAC/address
 *   listen IFACE PORT         one UdpSocket4 on 0.0.0.0:PORT bound to IFACE; prints every datagram
 *   link IFACE MAC SRC DST SPORT DPORT TEXT   one LinkSender datagram, then exits
 */
import { FfiTransport } from "../../mod/net/transport.ts";
import { listInterfaces, resolveServedInterfaces } from "../../mod/net/interfaces.ts";
import { UdpSocket4 } from "../../mod/net/udp4.ts";
import { LinkSender } from "../../mod/net/packet_sender.ts";
import { ifNameToIndex } from "../../mod/net/libc.ts";
import type { Datagram4 } from "../../mod/net/udp4.ts";
import { formatIpv4, parseHex, parseIpv4 } from "../../mod/wire/addr.ts";

const dec = new TextDecoder(), enc = new TextEncoder();
const show = (d: Datagram4, served?: string) =>
  console.log(JSON.stringify({
    text: dec.decode(d.data),
    iface: d.iface,
    ifindex: d.ifindex,
    src: `${formatIpv4(d.srcAddr)}:${d.srcPort}`,
    dst: formatIpv4(d.dstAddr),
    local: formatIpv4(d.localAddr),
    ...(served === undefined ? {} : { served }),
  }));

const [mode, ...args] = Deno.args;
const stopAfter = setTimeout(() => Deno.exit(0), 20_000); // never outlive a test run

if (mode === "serve") {
  const [ifaces, port, raw] = args;
  const specs = ifaces.split(",").map((name) => ({ name }));
  const served = resolveServedInterfaces(specs, listInterfaces());
  const t = FfiTransport.open({ interfaces: served, port: Number(port), raw: raw === "raw" });
  Deno.addSignalListener("SIGTERM", () => {
    t.close();
    clearTimeout(stopAfter);
  });
  console.log("READY");
  for (;;) {
    const batch = await t.recvBatch(64);
    if (batch.length === 0) break;
    for (const d of batch) {
      const s = t.served(d.ifindex);
      show(d, s ? `${s.name} ${formatIpv4(s.addr)}` : "none");
      const text = dec.decode(d.data);
      if (text.startsWith("bcast")) t.sendBroadcast(d.ifindex, enc.encode(`re:${text}`));
      if (text.startsWith("link ")) {
        const [, mac, yiaddr] = text.split(" ");
        t.sendLink(d.ifindex, parseHex(mac)!, parseIpv4(yiaddr)!, enc.encode("linkreply"));
      }
    }
  }
} else if (mode === "listen") {
  const [iface, port] = args;
  const s = UdpSocket4.open({ iface, port: Number(port), bindToDevice: true, broadcast: true });
  Deno.addSignalListener("SIGTERM", () => {
    s.close();
    clearTimeout(stopAfter);
  });
  console.log("READY");
  for (;;) {
    const batch = await s.recvBatch(64);
    if (batch.length === 0) break;
    for (const d of batch) show(d);
  }
} else if (mode === "link") {
  const [iface, mac, src, dst, sport, dport, text] = args;
  const l = LinkSender.open();
  l.sendUdp(
    ifNameToIndex(iface),
    parseHex(mac)!,
    parseIpv4(src)!,
    parseIpv4(dst)!,
    Number(sport),
    Number(dport),
    enc.encode(text),
  );
  l.close();
  clearTimeout(stopAfter);
} else {
  console.error(`unknown mode '${mode}'`);
  Deno.exit(2);
}
