/**
 * Host reservations of Kea's host databases in the DHCPv6 engine (issue 15): the engine reads them through
 * HostView6 (what mod/lease/host_cache6.ts fills per receive batch). A host the database reserves gets its address,
 * prefix and options; the configuration's reservation of the same key is searched first (Kea's HostMgr order); an
 * address the database reserves is kept from other clients, from the pool walk and as a hint; a global host
 * (subnet 0) applies only with `reservations-global`.
 */
import assert from "node:assert/strict";
import { getOption6 } from "../../../mod/packet6/packet.ts";
import type { Reservation6 } from "../../../mod/config/model6.ts";
import type { HostView6 } from "../../../mod/lease/types6.ts";
import { basic, Bed, big6, CLIENT_DUID, iaNa, iaPd, ip6, msg, oro, replyOf, sid, T, text6 } from "./helpers.ts";

const OTHER = "00:03:00:01:00:00:00:00:00:02";

/** A host database view over a fixed list: (subnet id, key) → reservation; reserved slots derived from it. */
function view(hosts: { subnetId: number; res: Reservation6 }[]): HostView6 {
  const key = (r: Reservation6) => `${r.idType}=${r.id}`;
  return {
    get: (sid, k) => hosts.find((h) => h.subnetId === sid && key(h.res) === k)?.res,
    reservedFor: (sid, a, len) => {
      const h = hosts.find((h) =>
        h.subnetId === sid &&
        (len === 128 ? h.res.addresses.includes(a) : h.res.prefixes.some((p) => p.prefix === a && p.len === len))
      );
      return h ? key(h.res) : undefined;
    },
  };
}

function res(id: string, addresses: string[], extra: Partial<Reservation6> = {}): Reservation6 {
  return {
    idType: "duid",
    id,
    addresses: addresses.map(big6),
    prefixes: [],
    options: new Map(),
    clientClasses: [],
    ...extra,
  };
}

Deno.test("host database: the reserved address, prefix and option of a host only the database knows", () => {
  const bed = new Bed(basic());
  const dns = { code: 23, space: "dhcp6", data: ip6("2001:db8::99"), alwaysSend: false, neverSend: false };
  bed.hosts = view([{
    subnetId: 1,
    res: res(CLIENT_DUID, ["2001:db8:1::99"], {
      prefixes: [{ prefix: big6("2001:db8:77::"), len: 48 }],
      hostname: "from-db",
      options: new Map([[23, dns]]),
    }),
  }]);
  const { m } = replyOf(bed.run(msg(T.REQUEST, [iaNa(1), iaPd(2)], [sid(), oro(23)])));
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::99");
  assert.equal(text6(m.ias[1].prefixes[0].prefix), "2001:db8:77::");
  assert.equal(m.ias[1].prefixes[0].prefixLen, 48);
  assert.equal(text6(getOption6(m.options, 23)!), "2001:db8::99");
  assert.equal([...bed.leases.map.values()].find((l) => l.prefixLen === 128)!.hostname, "from-db");
});

Deno.test("host database: the configuration's reservation of the same host is searched first", () => {
  const bed = new Bed(basic({}, { reservations: [{ duid: CLIENT_DUID, "ip-addresses": ["2001:db8:1::55"] }] }));
  bed.hosts = view([{ subnetId: 1, res: res(CLIENT_DUID, ["2001:db8:1::99"]) }]);
  const { m } = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], [sid()])));
  assert.equal(text6(m.ias[0].addresses[0].address), "2001:db8:1::55");
});

Deno.test("host database: an address it reserves is kept from other clients (pool walk and hint)", () => {
  const bed = new Bed(basic());
  bed.hosts = view([{ subnetId: 1, res: res(OTHER, ["2001:db8:1::10"]) }]); // the pool's first address
  const walk = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], [sid()]))).m;
  assert.equal(text6(walk.ias[0].addresses[0].address), "2001:db8:1::11");
  const hint = replyOf(bed.run(msg(T.REQUEST, [iaNa(1, ["2001:db8:1::10"])], [sid()], "00:03:00:01:00:00:00:00:00:07")))
    .m;
  assert.equal(text6(hint.ias[0].addresses[0].address), "2001:db8:1::12", "asked for as a hint");
  const own = replyOf(bed.run(msg(T.REQUEST, [iaNa(1)], [sid()], OTHER))).m;
  assert.equal(text6(own.ias[0].addresses[0].address), "2001:db8:1::10", "the host itself gets it");
});

Deno.test("host database: a global host (subnet 0) applies only with reservations-global", () => {
  const hosts = view([{ subnetId: 0, res: res(CLIENT_DUID, ["2001:db8:1::99"]) }]);
  const off = new Bed(basic());
  off.hosts = hosts;
  assert.notEqual(
    text6(replyOf(off.run(msg(T.REQUEST, [iaNa(1)], [sid()]))).m.ias[0].addresses[0].address),
    "2001:db8:1::99",
  );
  const on = new Bed(basic({ "reservations-global": true }));
  on.hosts = hosts;
  assert.equal(
    text6(replyOf(on.run(msg(T.REQUEST, [iaNa(1)], [sid()]))).m.ias[0].addresses[0].address),
    "2001:db8:1::99",
  );
});
