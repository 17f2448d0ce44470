/**
 * The prerequisites and updates of each D2 transaction step, per conflict-resolution mode (RFC 4703 §5 for
 * check-with-dhcid; Kea's `nc_add.cc`, `nc_remove.cc`, `check_exists_*.cc` and `simple_*.cc` for the others, as
 * summarised in Kea's ARM). Pure: an NCR in, RFC 2136 records out.
 */
import { RRType } from "../dns/constants.ts";
import type { DnsRecord } from "../dns/message.ts";
import {
  addRecord,
  addressRdata,
  deleteName,
  deleteRecord,
  deleteRRset,
  nameInUse,
  nameNotInUse,
  ptrRdata,
  rrsetExists,
  rrsetExistsValue,
  rrsetNotExists,
} from "../dns/update.ts";
import type { ConflictMode, NameChangeRequest } from "../ncr/ncr.ts";

/** The steps a transaction can be in; add = fwd-add [→ fwd-replace] → rev-add, remove = fwd-remove-* → rev-remove. */
export type Step = "fwd-add" | "fwd-replace" | "fwd-remove-addrs" | "fwd-remove-rrs" | "rev-add" | "rev-remove";

/** One UPDATE's content, before a zone, an ID and TSIG are put around it. */
export interface StepUpdate {
  prereqs: DnsRecord[];
  updates: DnsRecord[];
}

const usesDhcid = (m: ConflictMode) => m !== "no-check-without-dhcid";
const checks = (m: ConflictMode) => m === "check-with-dhcid" || m === "check-exists-with-dhcid";

/**
 * Builds the records for one step. `revName` is the reverse name of the NCR's address (in-addr.arpa / ip6.arpa).
 * Forward steps use the NCR's fqdn and address (A or AAAA); the TTL of every added record is `lease-length`.
 * Throws for a step that the mode does not have (a programming error, not an operator one).
 */
export function buildStep(step: Step, ncr: NameChangeRequest, revName: string): StepUpdate {
  const mode = ncr.conflictResolutionMode;
  const fqdn = ncr.fqdn, ttl = ncr.leaseLength;
  const addr = addressRdata(ncr.ipAddress);
  const other = addr.type === RRType.A ? RRType.AAAA : RRType.A;
  const dhcid = ncr.dhcid;
  switch (step) {
    case "fwd-add": {
      if (!checks(mode)) {
        // no-check modes: one unconditional step that replaces whatever is there
        const u = [deleteRRset(fqdn, addr.type)];
        if (usesDhcid(mode)) u.push(deleteRRset(fqdn, RRType.DHCID));
        u.push(addRecord(fqdn, addr.type, ttl, addr.rdata));
        if (usesDhcid(mode)) u.push(addRecord(fqdn, RRType.DHCID, ttl, dhcid));
        return { prereqs: [], updates: u };
      }
      // RFC 4703 §5.3.1: the name must not exist yet
      return {
        prereqs: [nameNotInUse(fqdn)],
        updates: [addRecord(fqdn, addr.type, ttl, addr.rdata), addRecord(fqdn, RRType.DHCID, ttl, dhcid)],
      };
    }
    case "fwd-replace": {
      if (mode === "check-with-dhcid") {
        // RFC 4703 §5.3.2: the name is in use and carries our DHCID: replace the address RRset
        return {
          prereqs: [nameInUse(fqdn), rrsetExistsValue(fqdn, RRType.DHCID, dhcid)],
          updates: [deleteRRset(fqdn, addr.type), addRecord(fqdn, addr.type, ttl, addr.rdata)],
        };
      }
      if (mode === "check-exists-with-dhcid") {
        return {
          prereqs: [rrsetExists(fqdn, RRType.DHCID)],
          updates: [
            deleteRRset(fqdn, addr.type),
            deleteRRset(fqdn, RRType.DHCID),
            addRecord(fqdn, addr.type, ttl, addr.rdata),
            addRecord(fqdn, RRType.DHCID, ttl, dhcid),
          ],
        };
      }
      break;
    }
    case "fwd-remove-addrs": {
      if (!checks(mode)) {
        const u = [deleteRRset(fqdn, addr.type)];
        if (usesDhcid(mode)) u.push(deleteRRset(fqdn, RRType.DHCID));
        return { prereqs: [], updates: u };
      }
      // RFC 4703 §5.5 step 1: only if the DHCID is ours (or, check-exists, any DHCID): delete our address
      const pre = mode === "check-with-dhcid"
        ? rrsetExistsValue(fqdn, RRType.DHCID, dhcid)
        : rrsetExists(fqdn, RRType.DHCID);
      return { prereqs: [pre], updates: [deleteRecord(fqdn, addr.type, addr.rdata)] };
    }
    case "fwd-remove-rrs": {
      // RFC 4703 §5.5 step 2: no addresses left → remove the remaining RRs
      if (mode === "check-with-dhcid") {
        return {
          prereqs: [
            rrsetExistsValue(fqdn, RRType.DHCID, dhcid),
            rrsetNotExists(fqdn, addr.type),
            rrsetNotExists(fqdn, other),
          ],
          updates: [deleteName(fqdn)],
        };
      }
      if (mode === "check-exists-with-dhcid") {
        return {
          prereqs: [rrsetNotExists(fqdn, addr.type), rrsetNotExists(fqdn, other)],
          updates: [deleteRRset(fqdn, RRType.DHCID)],
        };
      }
      break;
    }
    case "rev-add": {
      const u = [deleteRRset(revName, RRType.PTR)];
      if (usesDhcid(mode)) u.push(deleteRRset(revName, RRType.DHCID));
      u.push(addRecord(revName, RRType.PTR, ttl, ptrRdata(fqdn)));
      if (usesDhcid(mode)) u.push(addRecord(revName, RRType.DHCID, ttl, dhcid));
      return { prereqs: [], updates: u };
    }
    case "rev-remove": {
      if (checks(mode)) {
        // the PTR must still point at this name (RFC 4703 §5.5)
        return { prereqs: [rrsetExistsValue(revName, RRType.PTR, ptrRdata(fqdn))], updates: [deleteName(revName)] };
      }
      const u = [deleteRRset(revName, RRType.PTR)];
      if (usesDhcid(mode)) u.push(deleteRRset(revName, RRType.DHCID));
      return { prereqs: [], updates: u };
    }
  }
  throw new Error(`step ${step} does not exist in mode ${mode}`);
}
