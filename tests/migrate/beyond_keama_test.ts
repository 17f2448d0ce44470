// What `weka migrate` does beyond keama for issue 12 (mod/migrate/bootp.ts, lifetimes6.ts, services.ts), on real
// corpus files where they have it: BOOTP → libdhcp_bootp.so with dhcpd's pool rules (and weka's engine then serving a
// BOOTP client from the right pool), zone primaries given by name in the D2 output, DHCPv6 preferred lifetimes as
// dhcpd sends them, and max-unacked-updates, which is not Kea's max-unacked-clients.
import assert from "node:assert/strict";
import { migrate } from "../../mod/migrate/migrate.ts";
import { MigrateError } from "../../mod/migrate/lexer.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { handle4 } from "../../mod/dhcp4/engine/handle4.ts";
import { formatIpv4 } from "../../mod/wire/addr.ts";
import { arrival, ctxOf, ip, MsgType, query, world } from "../dhcp4/engine/builders.ts";
import { CORPUS, migrateCorpusFile } from "./corpus_helpers.ts";
import { keaAccepts } from "./migrate_helpers.ts";
import type { MigrateResult } from "../../mod/migrate/migrate.ts";

function corpus(file: string, resolver?: (n: string) => string | undefined): MigrateResult {
  const r = resolver
    ? migrate(Deno.readTextFileSync(CORPUS + file), {
      v6: file.endsWith(".dhcpd6.conf"),
      file,
      resolver,
      readFile: (p) =>
        Deno.readTextFileSync(`${CORPUS}includes/${file.replace(/\.dhcpd6?\.conf$/, "")}/${p.replace(/^.*\//, "")}`),
    })
    : migrateCorpusFile(file, file.endsWith(".dhcpd6.conf"));
  if (!("text" in r)) throw r;
  return r;
}

type Obj = Record<string, unknown>;
const dhcp4 = (r: MigrateResult) => r.config.Dhcp4 as Obj;
const dhcp6 = (r: MigrateResult) => r.config.Dhcp6 as Obj;

Deno.test("migrate bootp: `allow bootp` loads libdhcp_bootp.so; plain ranges outside pools exclude class BOOTP", () => {
  for (
    const file of [
      "jason-echols-pxe.dhcpd.conf",
      "nlucent-ansible-pxe.dhcpd.conf",
      "aveexy-openwrt-autoprov.dhcpd.conf",
    ]
  ) {
    const r = corpus(file);
    const d = dhcp4(r);
    const hooks = d["hooks-libraries"] as Obj[];
    assert.ok(hooks.some((h) => String(h.library).endsWith("/libdhcp_bootp.so")), file);
    assert.ok(!r.issues.some((i) => /bootp/.test(i.message)), `${file}: ${JSON.stringify(r.issues)}`);
    const pools = (d.subnet4 as Obj[]).flatMap((s) => (s.pools as Obj[] | undefined) ?? []);
    assert.ok(pools.length > 0);
    for (const p of pools) assert.equal(p["client-class"], "gen#!BOOTP#", `${file}: ${JSON.stringify(p)}`);
    assert.deepEqual((d["client-classes"] as Obj[]).find((c) => c.name === "gen#!BOOTP#"), {
      name: "gen#!BOOTP#",
      test: "not member('BOOTP')",
    });
    assert.match(r.text, /dhcpd gives them no address from a range without dynamic-bootp outside a pool/);
    parseConfigText(r.text, `${file}.json`, () => "");
  }
  // racattack: `range dynamic-bootp`: BOOTP clients may use it, so the pool has no guard
  const rac = dhcp4(corpus("racattack-pxe.dhcpd.conf"));
  assert.deepEqual((rac.subnet4 as Obj[])[0].pools, [{ pool: "192.168.78.100 - 192.168.78.200" }]);
  assert.ok((rac["hooks-libraries"] as Obj[]).some((h) => String(h.library).endsWith("/libdhcp_bootp.so")));
  // a file that never mentions BOOTP gets no hook
  assert.equal(dhcp4(corpus("bsclifton-home-router.dhcpd.conf"))["hooks-libraries"], undefined);
});

Deno.test("migrate bootp: the translation runs in weka's engine as dhcpd ran it (BOOTP from dynamic-bootp only)", () => {
  const conf = `allow bootp;
subnet 192.0.2.0 netmask 255.255.255.0 {
  range 192.0.2.10 192.0.2.19;
  range dynamic-bootp 192.0.2.200 192.0.2.209;
  pool { deny dynamic bootp clients; range 192.0.2.50 192.0.2.59; }
}
host printer { hardware ethernet 02:00:00:00:00:99; fixed-address 192.0.2.99; }`;
  const r = migrate(conf, { v6: false, file: "bootp.conf" });
  const kea = keaAccepts("kea-dhcp4", r.text);
  if (kea !== undefined) assert.equal(kea, true, `kea-dhcp4 -t refused:\n${r.text}`);
  const cfg = parseConfigText(r.text, "bootp.json", () => "").dhcp4!;
  const w = world({ config: cfg, arrival: arrival({ localAddr: ip("192.0.2.1"), ifaceAddrs: [ip("192.0.2.1")] }) });
  const answer = (q: ReturnType<typeof query>) => {
    const out = handle4(q, ctxOf(w));
    assert.equal(out.kind, "reply", JSON.stringify(out.log));
    return out.kind === "reply" ? formatIpv4(out.reply.yiaddr) : "";
  };
  // a BOOTP client (no option 53) gets the dynamic-bootp range; a DHCP client the first plain one
  assert.equal(answer(query(MsgType.REQUEST, { noType: true, mac: "02:00:00:00:00:01" })), "192.0.2.200");
  assert.equal(answer(query(MsgType.DISCOVER, { mac: "02:00:00:00:00:02" })), "192.0.2.10");
  // a BOOTP client with a host declaration gets its fixed address, as from dhcpd
  assert.equal(answer(query(MsgType.REQUEST, { noType: true, mac: "02:00:00:00:00:99" })), "192.0.2.99");
});

Deno.test("migrate --d2: a zone primary given by name is resolved (-r perform) or left commented out; D2 loads", () => {
  // onkeldom-alpine names its DNS server unifi.infra.onkeldom.lan in six zones
  const off = corpus("onkeldom-alpine.dhcpd.conf");
  parseConfigText(off.d2Text!, "d2.json", () => "");
  assert.equal(off.issues.filter((i) => /its primary has no address D2 can use/.test(i.message)).length, 6);
  assert.match(off.d2Text!, /primary unifi\.infra\.onkeldom\.lan is a host name: D2 sends updates to an address/);
  const on = corpus("onkeldom-alpine.dhcpd.conf", (n) => n === "unifi.infra.onkeldom.lan" ? "192.168.1.2" : undefined);
  const d2 = JSON.parse(on.d2Text!.replace(/^\s*\/\/.*$/gm, "")).DhcpDdns;
  const fwd = d2["forward-ddns"]["ddns-domains"] as Obj[];
  assert.equal(fwd.length, 3);
  for (const dom of [...fwd, ...d2["reverse-ddns"]["ddns-domains"]]) {
    assert.deepEqual(dom["dns-servers"], [{ "ip-address": "192.168.1.2" }]);
    assert.equal(dom["key-name"], "rndc-key");
  }
  assert.match(on.d2Text!, /from: primary unifi\.infra\.onkeldom\.lan \(resolved when migrating: check it\)/);
  parseConfigText(on.d2Text!, "d2.json", () => "");
  for (const text of [off.d2Text!, on.d2Text!]) {
    const kea = keaAccepts("kea-dhcp-ddns", text);
    if (kea !== undefined) assert.equal(kea, true, text);
  }
  // -r fatal refuses the name, as keama refuses host names under it
  assert.throws(
    () => migrate("zone example.org. { primary ns1.example.org; }", { v6: false, resolve: "fatal", file: "z.conf" }),
    (e) => e instanceof MigrateError && /got hostname ns1\.example\.org/.test(e.message),
  );
  // weka's config-test refuses the name where it would reach D2, as kea-dhcp-ddns -t does
  const bad =
    '{"DhcpDdns": {"forward-ddns": {"ddns-domains": [{"name": "example.org.", "dns-servers": [{"ip-address": "ns1.example.org"}]}]}}}';
  assert.throws(() => parseConfigText(bad, "bad.json", () => ""), /"ns1\.example\.org" is not an IP address/);
});

Deno.test("migrate -6: preferred lifetimes as dhcpd sends them (5/8 of valid), clamped below valid with a note", () => {
  // chriselsen-vpodrouter: default-lease-time 86400, preferred-lifetime 604800 (above valid)
  const chris = corpus("chriselsen-vpodrouter.dhcpd6.conf");
  assert.equal(dhcp6(chris)["valid-lifetime"], 86400);
  assert.equal(dhcp6(chris)["preferred-lifetime"], 54000);
  assert.match(chris.text, /preferred-lifetime 604800 is above the valid lifetime 86400/);
  assert.ok(chris.notes.some((n) => /clamped to 54000/.test(n.message)));
  // seanwanghp-snmp: 43200 / 604800
  assert.equal(dhcp6(corpus("seanwanghp-snmp.dhcpd6.conf"))["preferred-lifetime"], 27000);
  // popmedic-pirouter: default-lease-time 600 and no preferred-lifetime: dhcpd sends 375, Kea would send 3600
  assert.equal(dhcp6(corpus("popmedic-pirouter.dhcpd6.conf"))["preferred-lifetime"], 375);
  // onkeldom-alpine: 28800 globally, 3600 in its subnets
  const onk = dhcp6(corpus("onkeldom-alpine.dhcpd6.conf"));
  assert.equal(onk["preferred-lifetime"], 18000);
  for (const s of onk.subnet6 as Obj[]) if (s["valid-lifetime"] === 3600) assert.equal(s["preferred-lifetime"], 2250);
  // sccsatmtn-portal: 10 / 10 is allowed (not above valid) and stays
  assert.equal(dhcp6(corpus("sccsatmtn-portal.dhcpd6.conf"))["preferred-lifetime"], 10);
  // a subnet whose own valid lifetime takes the configured preferred one, under a clamped global value
  const r = migrate(
    `default-lease-time 3600; preferred-lifetime 7200;
subnet6 2001:db8:1::/64 { range6 2001:db8:1::10 2001:db8:1::20; }
subnet6 2001:db8:2::/64 { default-lease-time 86400; range6 2001:db8:2::10 2001:db8:2::20; }`,
    { v6: true, file: "p.conf" },
  );
  const d = dhcp6(r);
  assert.equal(d["preferred-lifetime"], 2250);
  const [s1, s2] = d.subnet6 as Obj[];
  assert.equal(s1["preferred-lifetime"], undefined, "inherits the clamped 2250");
  assert.equal(s2["preferred-lifetime"], 7200, "dhcpd sends 7200 there, below that subnet's 86400");
  const kea = keaAccepts("kea-dhcp6", r.text);
  if (kea !== undefined) assert.equal(kea, true, r.text);
});

Deno.test("migrate failover: max-unacked-updates is not Kea's max-unacked-clients; a note says why", () => {
  const r = corpus("caracciolo-failover-primary.dhcpd.conf");
  const ha = (dhcp4(r)["hooks-libraries"] as Obj[]).find((h) => String(h.library).endsWith("/libdhcp_ha.so"))!;
  const rel = ((ha.parameters as Obj)["high-availability"] as Obj[])[0];
  assert.equal(rel["max-unacked-clients"], undefined, "Kea's default (partner-down detection) is kept");
  assert.match(
    r.text,
    /max-unacked-updates 10 \(dhcpd's window of unacknowledged lease updates\) has no Kea equivalent/,
  );
  assert.match(r.text, /max-unacked-clients \(partner-down detection\) means something else/);
  parseConfigText(r.text, "failover.json", () => "");
});
