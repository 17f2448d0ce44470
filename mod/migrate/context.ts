/**
 * The translator's shared state: the options of the run (keama's -4/-6, -D, -N, -r, -l), the Kea document being
 * built, and the list of items that could not be translated (each with file:line and why), whose length is the
 * exit code, as keama's counter of commented-out parts is.
 */

import type { Loc } from "./lexer.ts";
import { JArr, JObj, type JVal } from "./emit.ts";
import type { OptionRegistry } from "./option_registry.ts";
import { CommentLedger } from "./comments.ts";

/** How host names in `fixed-address` and address options are handled (keama -r). */
export type ResolveMode = "perform" | "fatal" | "pass";

/** Options of one translation. */
export interface MigrateOptions {
  v6: boolean;
  /** -D: write ISC DHCP's built-in default/min/max lifetimes */
  defaults?: boolean;
  /** -N: reservations go into the subnet holding their address instead of the global list */
  subnetReservations?: boolean;
  /** -r */
  resolve?: ResolveMode;
  /** -l: directory of hook libraries (for flex-id, HA and lease commands) */
  hooksDir?: string;
  /** name → first IPv4 address, or undefined; used for -r perform (injected: the translator does no I/O) */
  resolver?: (name: string) => string | undefined;
  /** file name used in messages for the main input */
  file?: string;
}

/** Something left untranslated (commented out) or needing the operator's attention. */
export interface Issue {
  loc: Loc;
  message: string;
}

/** Counts for the --report summary. */
export interface Counts {
  subnets: number;
  sharedNetworks: number;
  pools: number;
  pdPools: number;
  hosts: number;
  classes: number;
  optionData: number;
  optionDefs: number;
}

/** Mutable translation state, passed to every translation step. */
export class Ctx {
  readonly opts: MigrateOptions;
  readonly reg: OptionRegistry;
  readonly v6: boolean;
  readonly dhcp = new JObj();
  readonly issues: Issue[] = [];
  readonly notes: Issue[] = [];
  readonly counts: Counts = {
    subnets: 0,
    sharedNetworks: 0,
    pools: 0,
    pdPools: 0,
    hosts: 0,
    classes: 0,
    optionData: 0,
    optionDefs: 0,
  };
  readonly interfaces = new Set<string>();
  readonly hostIds: string[] = [];
  /** subnets by id with their network (for -N placement and shared-network pools) */
  readonly subnetList: { obj: JObj; prefix: string; len: number }[] = [];
  nextId = 1;
  /** the input's comments, each given out once (comments.ts) */
  readonly comments = new CommentLedger();
  flexId: string | undefined;
  /** libdhcp_bootp.so is loaded: the file asks for BOOTP (bootp.ts) */
  bootp = false;
  /** where the last `preferred-lifetime` was read (lifetimes6.ts notes point at it) */
  prefLoc: Loc | undefined;
  genClasses = new JArr();

  constructor(opts: MigrateOptions, reg: OptionRegistry) {
    this.opts = opts;
    this.reg = reg;
    this.v6 = opts.v6;
  }

  /** The start of the main input, for notes about the file as a whole. */
  mainLoc(): Loc {
    return { file: this.opts.file ?? "<stdin>", line: 1, col: 1 };
  }

  /** Records an untranslated item (counted in the exit code). */
  skip(loc: Loc, message: string): void {
    this.issues.push({ loc, message });
  }

  /** Records something translated that the operator should check (not counted). */
  note(loc: Loc, message: string): void {
    this.notes.push({ loc, message });
  }

  /** Comments out `key: value` in `target` with notes, counting it as untranslated. */
  off(target: JObj, key: string, value: JVal, loc: Loc, why: string[]): void {
    target.off(key, value, why);
    this.skip(loc, `${key}: ${why.join(" ")}`);
  }

  /** Records an identifier type for `host-reservation-identifiers`, in first-seen order. */
  useId(id: string): void {
    if (!this.hostIds.includes(id)) this.hostIds.push(id);
  }
}
