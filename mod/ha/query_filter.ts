/**
 * The HA query filter (Kea query_filter.cc): which server's scope a query falls in, and whether this server
 * currently serves that scope. Load-balancing splits clients with the RFC 3074 hash of a key: for DHCPv4 the
 * client identifier (else the hardware address), for DHCPv6 the DUID (mod/ha/family6.ts); hot-standby and passive-backup put every query in the primary's
 * scope. Scopes are peer names; the class added to the query is `HA_<name>`. Pure.
 */

import { hwAddr, Opt, type Packet4 } from "../packet4/packet.ts";
import type { HaConfig, HaPeer } from "../config/model_ha.ts";

/** RFC 3074 §6: the "mixing table" of 256 distinct values in pseudo-random order (`loadb_mx_tbl`). */
// deno-fmt-ignore
const MIX = new Uint8Array([
  251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232,
  31, 32, 55, 60, 152, 58, 17, 237, 174, 70, 160, 144, 220, 90, 57, 223,
  59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65,
  180, 48, 36, 15, 107, 46, 233, 130, 165, 30, 123, 161, 209, 23, 97, 16,
  40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108, 244, 67,
  207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5,
  20, 113, 71, 35, 128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245,
  230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115, 241, 73, 88, 105,
  39, 114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84,
  82, 163, 44, 139, 228, 236, 205, 242, 217, 11, 187, 146, 159, 64, 86, 239,
  195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253,
  137, 185, 99, 164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238,
  56, 110, 78, 248, 63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50,
  33, 104, 101, 69, 8, 252, 83, 120, 76, 135, 85, 54, 202, 125, 188, 213,
  96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1, 7, 254, 24, 4,
  216, 131, 89, 21, 28, 133, 37, 153, 149, 80, 170, 68, 6, 169, 234, 151,
]);

/** The RFC 3074 mixing table, read-only (for tests and diagnostics). */
export const RFC3074_MIXING_TABLE: Readonly<Uint8Array> = MIX;

/**
 * RFC 3074 §6 Pearson hash, as Kea's `loadBalanceHash` computes it: the seed is the key length (mod 256) and the
 * bytes are consumed from the last to the first, `h = T[h XOR key[i]]`. Returns 0..255.
 */
export function pearsonHash(key: Uint8Array): number {
  let h = key.length & 0xff;
  for (let i = key.length; i > 0;) h = MIX[h ^ key[--i]];
  return h;
}

/**
 * The load-balancing key of a DHCPv4 query (Kea `QueryFilter::loadBalance`): the client identifier (option 61)
 * payload when present and not empty, else the hardware address (the first `hlen` bytes of chaddr); undefined
 * when the query has neither (Kea logs HA_LOAD_BALANCING_IDENTIFIER_MISSING and drops it).
 */
export function loadBalanceKey(query: Packet4): Uint8Array | undefined {
  const cid = query.options.get(Opt.CLIENT_ID);
  if (cid && cid.length > 0) return cid;
  const hw = hwAddr(query);
  return hw.length > 0 ? hw : undefined;
}

/**
 * Which scopes a server serves and which scope each query belongs to, for one HA relationship (Kea QueryFilter).
 * Peers are ordered primary, then secondary/standby, then backups; the active servers (primary + secondary in
 * load-balancing, the primary otherwise) are the hash buckets. Starts serving the default scopes.
 */
export class QueryFilter<Q = Packet4> {
  private readonly cfg: HaConfig;
  private readonly keyOf: (query: Q) => Uint8Array | undefined;
  /** primary first, then secondary or standby, then backups (Kea's peers_ order) */
  private readonly ordered: HaPeer[];
  private readonly active: HaPeer[];
  private served = new Set<string>();

  /** `keyOf`: the load-balancing key of a query (DHCPv4's by default; DHCPv6 hashes the DUID, mod/ha/family6.ts). */
  constructor(cfg: HaConfig, keyOf?: (query: Q) => Uint8Array | undefined) {
    this.cfg = cfg;
    this.keyOf = keyOf ?? (loadBalanceKey as unknown as (query: Q) => Uint8Array | undefined);
    const rank = { primary: 0, secondary: 1, standby: 1, backup: 2 } as const;
    this.ordered = [...cfg.peers].sort((a, b) => rank[a.role] - rank[b.role]);
    this.active = this.ordered.filter((p) =>
      p.role === "primary" || (cfg.mode === "load-balancing" && p.role === "secondary")
    );
    this.serveScopes(this.defaultScopes());
  }

  /**
   * The scope (server name) a query falls in. Load-balancing: the active server at index `pearsonHash(key) % 2`
   * (primary 0, secondary 1); undefined when the query has no key. Hot-standby and passive-backup: the primary,
   * whatever the query carries (Kea does not hash there).
   */
  scopeOf(query: Q): string | undefined {
    if (this.cfg.mode !== "load-balancing") return this.active[0]?.name;
    const key = this.keyOf(query);
    if (!key || this.active.length === 0) return undefined;
    return this.active[pearsonHash(key) % this.active.length].name;
  }

  /** The class Kea adds to the query whether or not it is served: `HA_<scope>`; undefined without a scope. */
  haClassOf(query: Q): string | undefined {
    const s = this.scopeOf(query);
    return s === undefined ? undefined : `HA_${s}`;
  }

  /**
   * Serves exactly the named scopes (Kea `serveScopes`, used by `ha-scopes` and state changes). Every name must
   * be a peer's; on an unknown name nothing changes and an Error says which (Kea: "invalid server name specified
   * 'x' while enabling/disabling DHCP service").
   */
  serveScopes(names: string[]): void {
    for (const n of names) {
      if (!this.cfg.peers.some((p) => p.name === n)) {
        throw new Error(`invalid server name specified '${n}' while enabling/disabling DHCP service`);
      }
    }
    this.served = new Set(names);
  }

  /** The scopes served now, in peer order (primary first), as `ha-heartbeat` and `status-get` list them. */
  servedScopes(): string[] {
    return this.ordered.map((p) => p.name).filter((n) => this.served.has(n));
  }

  /** True when the query's scope is served now; a query without a scope (no key in load-balancing) never is. */
  inScope(query: Q): boolean {
    const s = this.scopeOf(query);
    return s !== undefined && this.served.has(s);
  }

  /**
   * Kea `serveDefaultScopes`: a primary or secondary serves its own scope; a standby or backup serves none (so
   * in hot-standby the primary serves the primary scope and the standby nothing).
   */
  defaultScopes(): string[] {
    const me = this.cfg.peers.find((p) => p.name === this.cfg.thisServerName);
    return me && (me.role === "primary" || me.role === "secondary") ? [me.name] : [];
  }

  /** Kea `serveFailoverScopes` (partner-down, partner-in-maintenance): the scopes of every active server. */
  allScopes(): string[] {
    return this.active.map((p) => p.name);
  }
}
