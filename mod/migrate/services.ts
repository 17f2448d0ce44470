/**
 * The parts of a dhcpd.conf that become other Kea services, beyond what keama translates: a `failover peer`
 * becomes the High Availability hook configuration (Kea ARM "High Availability": load-balancing when the peer
 * declaration splits the hash space, hot-standby when one server takes it all), `zone` and `key` declarations
 * become a `DhcpDdns` (D2) configuration with TSIG keys and forward/reverse DDNS domains, and `server-duid`
 * becomes the DHCPv6 `server-id`.
 */

import type { Node } from "./ast.ts";
import type { Ctx } from "./context.ts";
import { JArr, JObj, jobj } from "./emit.ts";
import { MigrateError } from "./lexer.ts";
import { isIpv4 } from "./option_data.ts";
import { parseIpv6 } from "../wire/ipv6.ts";
import { addComments, commentLast } from "./comments.ts";

const ALGORITHMS: Record<string, string> = {
  "hmac-md5": "HMAC-MD5",
  "hmac-md5.sig-alg.reg.int": "HMAC-MD5",
  "hmac-md5.sig-alg.reg.int.": "HMAC-MD5",
  "hmac-sha1": "HMAC-SHA1",
  "hmac-sha224": "HMAC-SHA224",
  "hmac-sha256": "HMAC-SHA256",
  "hmac-sha384": "HMAC-SHA384",
  "hmac-sha512": "HMAC-SHA512",
};

/** The hook library path for `lib` under -l (default: Debian's Kea hooks directory). */
export function hookPath(ctx: Ctx, lib: string): string {
  const dir = ctx.opts.hooksDir ?? "/usr/lib/x86_64-linux-gnu/kea/hooks";
  return `${dir.replace(/\/+$/, "")}/${lib}`;
}

/**
 * Translates the first `failover peer` into `libdhcp_lease_cmds.so` + `libdhcp_ha.so` with one relationship
 * (Kea 2.2 supports one per server): `split 128` (or an `hba` mask) → load-balancing, `split 256`/`0` →
 * hot-standby; `max-response-delay` (seconds) → milliseconds. dhcpd's failover port (647) is not Kea's HA
 * transport, so peers get `http://ADDRESS:8000/`; the operator is told to check it.
 */
export function translateFailover(list: (Node & { k: "failover" })[], ctx: Ctx): void {
  if (list.length === 0) return;
  const f = list[0];
  for (const extra of list.slice(1)) {
    ctx.off(ctx.dhcp, "failover-peer", extra.name, extra.loc, ["Kea 2.2 supports one HA relationship per server"]);
    addComments(ctx.dhcp.entries[ctx.dhcp.entries.length - 1], ctx.comments.take(extra));
  }
  const fl = f.fields;
  const primary = fl.role !== "secondary";
  const split = fl.split !== undefined ? Number(fl.split) : fl.hba !== undefined ? 128 : 128;
  const loadBalancing = split > 0 && split < 256;
  const me = fl.address ?? "127.0.0.1";
  const peer = fl["peer-address"] ?? "127.0.0.1";
  const thisName = primary ? `${f.name}-primary` : `${f.name}-secondary`;
  const peers = new JArr();
  const pName = `${f.name}-primary`, sName = `${f.name}-secondary`;
  peers.push(jobj({ name: pName, url: `http://${primary ? me : peer}:8000/`, role: "primary", "auto-failover": true }));
  peers.push(
    jobj({
      name: sName,
      url: `http://${primary ? peer : me}:8000/`,
      role: loadBalancing ? "secondary" : "standby",
      "auto-failover": true,
    }),
  );
  const rel = jobj({
    "this-server-name": thisName,
    mode: loadBalancing ? "load-balancing" : "hot-standby",
    "heartbeat-delay": 10000,
    "max-response-delay": fl["max-response-delay"] !== undefined ? Number(fl["max-response-delay"]) * 1000 : 60000,
    "max-ack-delay": 5000,
    peers,
  });
  const relNotes: string[] = [];
  if (fl["max-unacked-updates"] !== undefined) {
    // dhcpd.conf(5): how many BNDUPD lease updates the peer may send before it waits for a BNDACK (a flow-control
    // window). Kea's HA has no such window: each lease update is sent and acknowledged before the client's reply
    // leaves. Kea's max-unacked-clients is something else: how many clients the partner leaves unanswered before
    // this server declares it down (Kea ARM "High Availability"); it keeps its default.
    relNotes.push(
      `max-unacked-updates ${
        fl["max-unacked-updates"]
      } (dhcpd's window of unacknowledged lease updates) has no Kea equivalent:`,
      "Kea sends each lease update and waits for its acknowledgement before it answers the client;",
      "max-unacked-clients (partner-down detection) means something else and keeps Kea's default",
    );
    ctx.note(f.loc, "max-unacked-updates has no Kea equivalent (Kea's max-unacked-clients is partner-down detection)");
  }
  const hooks = ctx.dhcp.arr("hooks-libraries");
  hooks.push(jobj({ library: hookPath(ctx, "libdhcp_lease_cmds.so") }));
  const params = new JObj().set("high-availability", new JArr().push(rel, relNotes.length ? relNotes : undefined));
  hooks.push(jobj({ library: hookPath(ctx, "libdhcp_ha.so"), parameters: params }), [
    `from: failover peer "${f.name}" (${primary ? "primary" : "secondary"}, split ${split})`,
    "Kea HA peers talk HTTP: check the URLs and ports (dhcpd's failover port is not used)",
  ]);
  commentLast(hooks, ctx.comments.take(f));
  ctx.note(
    f.loc,
    `failover peer "${f.name}" became a ${
      loadBalancing ? "load-balancing" : "hot-standby"
    } HA pair: check the peer URLs`,
  );
  if (fl.mclt !== undefined) ctx.note(f.loc, "mclt has no Kea equivalent: HA lease updates are synchronous");
}

/**
 * Translates `key` and `zone` declarations into a D2 configuration (Kea ARM "The DHCP-DDNS Server"): keys →
 * `tsig-keys` (algorithms spelled the Kea way), zones → forward or reverse (`in-addr.arpa.`/`ip6.arpa.`) DDNS
 * domains whose DNS servers are the zone's primaries. Keys Kea cannot use are commented out and counted.
 */
export function translateDdns(
  zones: (Node & { k: "zone" })[],
  keys: (Node & { k: "key" })[],
  ctx: Ctx,
): JObj | undefined {
  if (zones.length === 0 && keys.length === 0) return undefined;
  const d2 = jobj({ "ip-address": "127.0.0.1", port: 53001 });
  const tsig = d2.arr("tsig-keys");
  const usable = new Set<string>();
  for (const k of keys) {
    const alg = ALGORITHMS[(k.algorithm ?? "").toLowerCase()];
    const e = jobj({ name: k.name, algorithm: alg ?? k.algorithm ?? "", secret: k.secret ?? "" });
    const why = !alg
      ? `algorithm ${k.algorithm} is not supported by Kea`
      : !k.secret
      ? "the key has no secret"
      : !isBase64(k.secret)
      ? "the secret is not base64 text"
      : undefined;
    if (why) {
      tsig.off(e, [why]);
      commentLast(tsig, ctx.comments.take(k));
      ctx.skip(k.loc, `key ${k.name}: ${why}`);
      continue;
    }
    tsig.push(e);
    commentLast(tsig, ctx.comments.take(k));
    usable.add(k.name);
  }
  const fwd = new JArr(), rev = new JArr();
  for (const z of zones) {
    const servers = dnsServers(z, ctx);
    const dom = jobj({ name: z.name });
    if (z.key !== undefined) {
      if (usable.has(z.key)) dom.set("key-name", z.key);
      else ctx.note(z.loc, `zone ${z.name}: key ${z.key} was not translated, the domain is unsigned`);
    }
    dom.set("dns-servers", servers);
    if (z.secondary.length + z.secondary6.length > 0) ctx.note(z.loc, `zone ${z.name}: secondaries are not used by D2`);
    const list = /\.(in-addr|ip6)\.arpa\.$/i.test(z.name) ? rev : fwd;
    if (servers.active().length > 0) list.push(dom);
    else {
      // kea-dhcp-ddns refuses a domain without a DNS server (its grammar wants one at least)
      list.off(dom, [`zone ${z.name}: no primary with an address, and D2 needs one`]);
      ctx.skip(z.loc, `zone ${z.name}: its primary has no address D2 can use`);
    }
    commentLast(list, ctx.comments.take(z));
  }
  d2.set("forward-ddns", jobj({ "ddns-domains": fwd }));
  d2.set("reverse-ddns", jobj({ "ddns-domains": rev }));
  return d2;
}

/**
 * The zone's primaries as D2 DNS servers. D2 sends its updates to an address and resolves no names (kea-dhcp-ddns
 * refuses a host name in `ip-address`, as weka's config-test does); a primary given by name is resolved as host names
 * in addresses are (-r perform; `fatal` refuses it), else it is left commented out with a note.
 */
function dnsServers(z: Node & { k: "zone" }, ctx: Ctx): JArr {
  const servers = new JArr();
  for (const a of [...z.primary, ...z.primary6]) {
    if (isIpv4(a) || parseIpv6(a) !== undefined) {
      servers.push(jobj({ "ip-address": a }));
      continue;
    }
    const mode = ctx.opts.resolve ?? "perform";
    if (mode === "fatal") throw new MigrateError(z.loc, `expected IP address. got hostname ${a}`, a);
    const addr = mode === "perform" ? ctx.opts.resolver?.(a) : undefined;
    if (addr !== undefined) {
      servers.push(jobj({ "ip-address": addr }), [`from: primary ${a} (resolved when migrating: check it)`]);
      ctx.note(z.loc, `zone ${z.name}: primary ${a} resolved to ${addr}`);
      continue;
    }
    servers.off(jobj({ "ip-address": a }), [
      `primary ${a} is a host name: D2 sends updates to an address and resolves no names`,
      `(kea-dhcp-ddns refuses it); ${
        mode === "pass" ? "-r pass keeps it" : "it did not resolve"
      }: put its address here`,
    ]);
  }
  return servers;
}

function isBase64(s: string): boolean {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s);
}

/** `server-duid` → Dhcp6 `server-id` (Kea ARM "Server Identifier in DHCPv6"). */
export function translateDuid(d: Node & { k: "duid" }, ctx: Ctx): void {
  const o = jobj({ type: d.type });
  if (d.type === "EN") {
    o.set("enterprise-id", d.enterprise!);
    o.set("identifier", d.identifier!);
  } else if (d.htype !== undefined) {
    o.set("htype", d.htype);
    if (d.time !== undefined) o.set("time", d.time);
    o.set("identifier", d.identifier!);
  }
  ctx.dhcp.set("server-id", o);
}
