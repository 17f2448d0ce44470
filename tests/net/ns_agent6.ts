/**
 * The DHCPv6 socket agent the namespace tests run inside lab hosts (`deno run -A ns_agent6.ts MODE …`), so that
 * sockets are opened in that host's network namespace. It prints one JSON line per datagram; "READY" once
 * listening.
 *
 *   serve IFACES PORT                  Ffi6Transport on IFACES (comma list); prints every datagram and answers
 *                                      "re:TEXT" to its source through the transport (the server's choice of
 *                                      interface and source address)
 *   ask IFACE SPORT DST DPORT TEXT     one UdpSocket6 on [::]:SPORT bound to IFACE sends TEXT to DST:DPORT (scoped
 *                                      to IFACE), prints what comes back for 3 s, then exits
 */
import { Ffi6Transport, resolveServed6 } from "../../mod/net/udp6.ts";
import { type Datagram6, UdpSocket6 } from "../../mod/net/udp6_socket.ts";
import { ifNameToIndex } from "../../mod/net/libc.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";

const dec = new TextDecoder(), enc = new TextEncoder();
const show = (d: Datagram6) =>
  console.log(JSON.stringify({
    text: dec.decode(d.data),
    iface: d.iface,
    ifindex: d.ifindex,
    src: `[${formatIpv6(d.srcAddr)}]:${d.srcPort}`,
    dst: formatIpv6(d.dstAddr),
  }));

const [mode, ...args] = Deno.args;
const stopAfter = setTimeout(() => Deno.exit(0), 20_000); // never outlive a test run

if (mode === "serve") {
  const [ifaces, port] = args;
  const specs = ifaces.split(",").map((name) => ({ name }));
  const { served } = resolveServed6(specs, Deno.networkInterfaces(), ifNameToIndex);
  const t = Ffi6Transport.open({ interfaces: served, port: Number(port) });
  Deno.addSignalListener("SIGTERM", () => {
    t.close();
    clearTimeout(stopAfter);
  });
  console.log("READY");
  for (;;) {
    const batch = await t.recvBatch(64);
    if (batch.length === 0) break;
    for (const d of batch) {
      show(d);
      t.send(d, enc.encode(`re:${dec.decode(d.data)}`), d.srcAddr, d.srcPort);
    }
  }
} else if (mode === "ask") {
  const [iface, sport, dst, dport, text] = args;
  const ifindex = ifNameToIndex(iface);
  const s = UdpSocket6.open({ iface, ifindex, port: Number(sport) });
  s.queue(enc.encode(text), parseIpv6(dst)!, Number(dport), ifindex);
  const errors = s.flush();
  if (errors.length) console.log(JSON.stringify({ errors }));
  const end = Date.now() + 3000;
  while (Date.now() < end) {
    const out: Datagram6[] = [];
    s.drainInto(out, 64, 0);
    out.forEach(show);
    await new Promise((r) => setTimeout(r, 20));
  }
  s.close();
  clearTimeout(stopAfter);
  Deno.exit(0);
}
