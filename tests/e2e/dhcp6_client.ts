/**
 * A DHCPv6 client with a chosen DUID, for the HA lab tests (`deno run -A dhcp6_client.ts OP DUID [ADDRESS SERVERID]`
 * inside a lab host): the load-balancing scope of a DHCPv6 client is the RFC 3074 hash of its DUID, so the tests
 * pick DUIDs per scope and send real datagrams from [::]:546 on eth0 to ff02::1:2 (mod/net/udp6_socket.ts).
 *
 *   sarr DUID                        SOLICIT → ADVERTISE → REQUEST → REPLY for one IA_NA (IAID 1); prints
 *                                    {"address", "server"} (the answering server's DUID), or {"error"}
 *   release DUID ADDRESS SERVERID    RELEASE of that address to that server; prints {"status"} of the REPLY
 *
 * Waits up to 4 s per answer (a SOLICIT is retransmitted once after 1 s, as a real client would).
 */
import { decode6, encode6, innermost } from "../../mod/packet6/codec.ts";
import { getOption6, type Message6, MsgType6, Opt6 } from "../../mod/packet6/packet.ts";
import { UdpSocket6 } from "../../mod/net/udp6_socket.ts";
import { ifNameToIndex } from "../../mod/net/libc.ts";
import { parseHex, toColonHex } from "../../mod/wire/addr.ts";
import { formatIpv6, parseIpv6 } from "../../mod/wire/ipv6.ts";

const [op, duidHex, addrText, serverHex] = Deno.args;
const duid = parseHex(duidHex)!;
const ifindex = ifNameToIndex("eth0");
const sock = UdpSocket6.open({ iface: "eth0", ifindex, port: 546 });
const MCAST = parseIpv6("ff02::1:2")!;
let xid = Math.floor(Math.random() * 0xffffff);

async function ask(m: Message6, want: number): Promise<Message6 | undefined> {
  const bytes = encode6(m);
  for (let attempt = 0; attempt < 4; attempt++) {
    sock.queue(bytes, MCAST, 547, ifindex);
    sock.flush();
    const end = Date.now() + 1000;
    while (Date.now() < end) {
      const got: Parameters<typeof sock.drainInto>[0] = [];
      sock.drainInto(got, 16, 0);
      for (const d of got) {
        try {
          const r = innermost(decode6(d.data));
          if (r.transactionId === m.transactionId && r.msgType === want) return r;
        } catch { /* not ours */ }
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return undefined;
}

function query(type: number, options: { code: number; data: Uint8Array }[], address?: Uint8Array): Message6 {
  return {
    kind: "message",
    msgType: type,
    transactionId: xid = (xid + 1) & 0xffffff,
    options: [{ code: Opt6.CLIENTID, data: duid }, ...options, { code: Opt6.ELAPSED_TIME, data: new Uint8Array(2) }],
    ias: [{
      kind: "na",
      iaid: 1,
      t1: 0,
      t2: 0,
      addresses: address ? [{ address, preferred: 0, valid: 0, options: [] }] : [],
      prefixes: [],
      options: [],
    }],
  };
}

let out: Record<string, unknown>;
if (op === "sarr") {
  const adv = await ask(query(MsgType6.SOLICIT, []), MsgType6.ADVERTISE);
  const sid = adv && getOption6(adv.options, Opt6.SERVERID);
  const offered = adv?.ias[0]?.addresses[0]?.address;
  if (!adv || !sid || !offered) out = { error: adv ? "ADVERTISE without an address" : "no ADVERTISE" };
  else {
    const rep = await ask(query(MsgType6.REQUEST, [{ code: Opt6.SERVERID, data: sid }], offered), MsgType6.REPLY);
    const a = rep?.ias[0]?.addresses[0];
    out = a && a.valid > 0
      ? { address: formatIpv6(a.address), server: toColonHex(sid) }
      : { error: rep ? "REPLY without the address" : "no REPLY" };
  }
} else {
  const rep = await ask(
    query(MsgType6.RELEASE, [{ code: Opt6.SERVERID, data: parseHex(serverHex)! }], parseIpv6(addrText)!),
    MsgType6.REPLY,
  );
  out = rep ? { status: rep.ias[0]?.status?.code ?? 0 } : { error: "no REPLY" };
}
console.log(JSON.stringify(out));
sock.close();
