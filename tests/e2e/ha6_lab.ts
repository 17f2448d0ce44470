/**
 * Shared pieces of the DHCPv6 HA lab tests (ha6_kea_test.ts, ha6_pair_test.ts): the Dhcp6 map both weka and
 * kea-dhcp6 2.2 read (LAN A, 2001:db8:a::/64, pools split by HA class), DUIDs chosen per load-balancing scope
 * (the RFC 3074 hash of the DUID, as Kea's QueryFilter hashes it), a client run in a lab host, and lease reading
 * through lease6-get-all. Tests only.
 */
import assert from "node:assert/strict";
import type { Lab } from "./lab.ts";
import { pearsonHash } from "../../mod/ha/query_filter.ts";
import { parseHex } from "../../mod/wire/addr.ts";
import type { PeerAnswer } from "../../mod/ha/peer_client.ts";

const CLIENT = new URL("./dhcp6_client.ts", import.meta.url).pathname;

/** A Dhcp6 map on LAN A with `pools` (each a pool map), a unix control socket, `lease` storage and `hooks`. */
export function haDhcp6(sock: string, lease: unknown, pools: unknown[], hooks: unknown[], dataDir: string) {
  return {
    Dhcp6: {
      "interfaces-config": { interfaces: ["eth0"] },
      "control-socket": { "socket-type": "unix", "socket-name": sock },
      "lease-database": lease,
      "data-directory": dataDir,
      "preferred-lifetime": 400,
      "valid-lifetime": 600,
      "renew-timer": 200,
      "rebind-timer": 300,
      subnet6: [{ id: 1, subnet: "2001:db8:a::/64", interface: "eth0", pools }],
      "hooks-libraries": hooks,
      loggers: [{ name: "kea-dhcp6", output_options: [{ output: "stdout" }], severity: "INFO" }],
    },
  };
}

/** The load-balancing bucket of a DUID: 0 is the primary's scope, 1 the secondary's. */
export function bucketOf(duid: string): number {
  return pearsonHash(parseHex(duid)!) % 2;
}

/** `n` DUID-LLTs (00:01:00:01:2a:00:00:00:02:6b:…) in `bucket`, skipping those in `used`. */
export function duidsIn(bucket: number, n: number, used: Set<string>): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const d = `00:01:00:01:2a:00:00:00:02:6b:00:00:${(i >> 8).toString(16).padStart(2, "0")}:${
      (i & 255).toString(16).padStart(2, "0")
    }`;
    if (!used.has(d) && bucketOf(d) === bucket) out.push(d);
  }
  out.forEach((d) => used.add(d));
  return out;
}

/** One DHCPv6 exchange in `host` (tests/e2e/dhcp6_client.ts): the address and the answering server's DUID. */
export async function sarr6(lab: Lab, host: string, duid: string): Promise<{ address: string; server: string }> {
  const r = await lab.run(host, [Deno.execPath(), "run", "-A", "--quiet", CLIENT, "sarr", duid]);
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  const j = line.startsWith("{") ? JSON.parse(line) : { error: r.stderr };
  assert.ok(j.address, `client ${duid} got no lease: ${j.error}`);
  return j;
}

/** RELEASE of `address` by `duid` to `server` (a server DUID); the IA's status code. */
export async function release6(lab: Lab, host: string, duid: string, address: string, server: string) {
  const r = await lab.run(host, [Deno.execPath(), "run", "-A", "--quiet", CLIENT, "release", duid, address, server]);
  return JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "{}");
}

/** The lease maps of a lease6-get-all answer (result 3 = none). */
export function lease6Maps(a: PeerAnswer): Record<string, unknown>[] {
  if (a.result === 3) return [];
  if (a.result !== 0) throw new Error(`lease6-get-all failed: ${a.text}`);
  return (a.arguments?.leases ?? []) as Record<string, unknown>[];
}

/** `ip-address duid` of every lease of a lease6-get-all answer in state 0. */
export function lease6Pairs(a: PeerAnswer): string[] {
  return lease6Maps(a).filter((l) => l.state === 0).map((l) => `${l["ip-address"]} ${l.duid}`);
}

/** The server DUID weka logged at start-up (DHCP6_SERVERID). */
export function wekaDuid(output: string): string {
  const m = /DHCP6_SERVERID server DUID ([0-9a-f:]+)/.exec(output);
  assert.ok(m, "weka logged no DHCP6_SERVERID line");
  return m[1];
}
