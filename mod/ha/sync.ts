/**
 * Lease database synchronisation from the HA partner (Kea's HAService::asyncSyncLeases, the `syncing` state and
 * the `ha-sync` command): disable the partner's DHCP service with
 * `dhcp-disable {origin-id, origin: "ha-partner", max-period}`, pull its leases page by page with
 * `lease4-get-page` (DHCPv6: `lease6-get-page`, the family's) `{from: "start" | last address, limit}` until a short page, merge them (the partner's lease wins
 * when the local one is missing or older by cltt; leases only this server has are kept), then tell the partner with
 * `ha-sync-complete-notify {server-name, origin-id}` — or `dhcp-enable` when the partner does not know that command
 * (Kea before 2.2). On any failure the partner is re-enabled with `dhcp-enable` and the error is thrown.
 */
import type { Lease4, LeaseMutation, LeaseStore } from "../lease/types.ts";
import { formatIpv4 } from "../wire/addr.ts";
import { leaseFromPartnerJson } from "./lease_updates.ts";
import type { PeerAnswer, PeerClient } from "./peer_client.ts";

/** What a lease store must offer the synchronisation: durable application of the merged leases. */
export interface SyncStore<M> {
  apply(mutations: M[]): Promise<void>;
}

/**
 * What differs between the families' synchronisation: the page command, reading a partner's lease, the order key
 * pages go up in (the address), the local lease at the same address, and the mutation storing a lease.
 */
export interface SyncFamily<L, M> {
  command: "lease4-get-page" | "lease6-get-page";
  read(j: Record<string, unknown>): L;
  key(l: L): bigint;
  /** the address as text (the next page's `from`) */
  text(l: L): string;
  subnetId(l: L): number;
  cltt(l: L): number;
  local(store: SyncStore<M>, l: L): L | undefined;
  put(l: L): M;
}

/** DHCPv4's synchronisation: lease4-get-page, Kea's Lease4 JSON. */
export const SYNC4: SyncFamily<Lease4, LeaseMutation> = {
  command: "lease4-get-page",
  read: leaseFromPartnerJson,
  key: (l) => BigInt(l.address),
  text: (l) => formatIpv4(l.address),
  subnetId: (l) => l.subnetId,
  cltt: (l) => l.cltt,
  local: (store, l) => (store as unknown as LeaseStore).byAddress(l.address),
  put: (lease) => ({ op: "put", lease }),
};

/** Options of a synchronisation run. */
export interface SyncOptions {
  /** `sync-page-limit` */
  pageLimit: number;
  /** the origin-id this server disables the partner with (Kea: 2000 + local service id) */
  originId: number;
  /** `max-period` of the dhcp-disable, seconds (Kea: sync-timeout / 1000) */
  maxPeriodSec: number;
  /** the `server-name` of ha-sync-complete-notify (default: the partner's name, which names the relationship) */
  serverName?: string;
  /** leases of subnets this server does not know are skipped (default: none skipped) */
  subnetKnown?: (subnetId: number) => boolean;
  /** one log line: Kea's message id and its text */
  log?: (id: string, text: string) => void;
}

/** What a synchronisation did. */
export interface SyncResult {
  /** leases received from the partner */
  fetched: number;
  /** leases written to the local database (durably) */
  applied: number;
  /** lease4-get-page / lease6-get-page commands sent */
  pages: number;
}

/** The partner answered, but not with success: a failed step of the synchronisation. */
export class SyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SyncError";
  }
}

function expectOk(a: PeerAnswer, peer: string, what: string): void {
  if (a.result !== 0) {
    throw new SyncError(`HA peer '${peer}' refused ${what} (result ${a.result}): ${a.text ?? "no text"}`);
  }
}

/**
 * Runs one synchronisation against the partner behind `client` and merges its leases into `store`. Every merged
 * page is durable before the next page is asked for. Resolves with the counts; rejects (after sending dhcp-enable)
 * with a PeerError or SyncError that names the failed step.
 */
export async function syncFromPartner<L = Lease4, M = LeaseMutation>(
  client: PeerClient,
  store: SyncStore<M>,
  opts: SyncOptions,
  family: SyncFamily<L, M> = SYNC4 as unknown as SyncFamily<L, M>,
): Promise<SyncResult> {
  const cmd = family.command;
  const log = opts.log ?? (() => {});
  const peer = client.peer.name;
  const out: SyncResult = { fetched: 0, applied: 0, pages: 0 };
  const originArgs = { "origin-id": opts.originId, origin: "ha-partner" };
  try {
    const disable: Record<string, unknown> = { ...originArgs };
    if (opts.maxPeriodSec > 0) disable["max-period"] = opts.maxPeriodSec;
    expectOk(await client.send("dhcp-disable", disable), peer, "dhcp-disable");
    log("HA_SYNC_START", `disabled the DHCP service of '${peer}' for at most ${opts.maxPeriodSec} s, fetching leases`);
    let from = "start";
    let last = -1n; // the highest address seen: every page must go past it (a partner repeating pages is cut off)
    let lastText = "";
    while (true) {
      const a = await client.send(cmd, { from, limit: opts.pageLimit });
      out.pages++;
      if (a.result === 3) break; // empty page: nothing after `from`
      expectOk(a, peer, `${cmd} from ${from}`);
      const list = a.arguments?.leases;
      if (!Array.isArray(list)) throw new SyncError(`HA peer '${peer}' answered ${cmd} without 'leases'`);
      const muts: M[] = [];
      for (const j of list) {
        if (j === null || typeof j !== "object" || Array.isArray(j)) {
          throw new SyncError(`HA peer '${peer}' sent a lease that is not a map in ${cmd}`);
        }
        let lease: L;
        try {
          lease = family.read(j as Record<string, unknown>);
        } catch (e) {
          throw new SyncError(`HA peer '${peer}' sent an unreadable lease: ${(e as Error).message}`);
        }
        out.fetched++;
        const key = family.key(lease);
        if (key <= last) {
          throw new SyncError(
            `HA peer '${peer}' sent lease ${family.text(lease)} after ${lastText} in ${cmd}: ` +
              "pages must go up in address order",
          );
        }
        last = key;
        from = lastText = family.text(lease);
        if (opts.subnetKnown && !opts.subnetKnown(family.subnetId(lease))) {
          log(
            "HA_LEASE_SYNC_SKIP",
            `lease ${from} is in subnet-id ${family.subnetId(lease)}, which is not configured here`,
          );
          continue;
        }
        const local = family.local(store, lease);
        if (local && family.cltt(local) >= family.cltt(lease)) continue; // the local lease is as new or newer
        muts.push(family.put(lease));
      }
      if (muts.length) {
        await store.apply(muts);
        out.applied += muts.length;
      }
      if (list.length < opts.pageLimit) break;
    }
    const notify = await client.send("ha-sync-complete-notify", {
      "server-name": opts.serverName ?? peer,
      ...originArgs,
    });
    if (notify.result === 2) {
      log(
        "HA_SYNC_COMPLETE_NOTIFY_UNSUPPORTED",
        `'${peer}' does not know ha-sync-complete-notify, sending dhcp-enable`,
      );
      expectOk(await client.send("dhcp-enable", originArgs), peer, "dhcp-enable");
    } else expectOk(notify, peer, "ha-sync-complete-notify");
    log(
      "HA_SYNC_SUCCESSFUL",
      `${out.fetched} lease(s) fetched from '${peer}' in ${out.pages} page(s), ${out.applied} applied`,
    );
    return out;
  } catch (e) {
    log("HA_SYNC_FAILED", `lease database synchronisation with '${peer}' failed: ${(e as Error).message}`);
    try {
      await client.send("dhcp-enable", originArgs);
    } catch (e2) {
      log("HA_DHCP_ENABLE_FAILED", `could not re-enable the DHCP service of '${peer}': ${(e2 as Error).message}`);
    }
    throw e;
  }
}
