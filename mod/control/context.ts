/**
 * What the control commands need from the running server, passed in by the CLI wiring (docs/ARCHITECTURE.md: explicit
 * wiring in cli/, nothing registers itself). Every effect on the outside world — reading or writing files, the
 * clock, reloading, shutting down — goes through this interface, so the command modules stay free of Deno.* and
 * can be tested with a fake context.
 */
import type { Dhcp4Config } from "../config/model.ts";
import type { LoadedConfig } from "../config/load.ts";
import type { Lease4, LeaseStore } from "../lease/types.ts";
import type { Stats } from "../stats/stats.ts";
import type { DhcpState } from "./dhcp_state.ts";
import type { LiveFile, WriteFs } from "./safe_write.ts";

/** The server's services as the control commands see them. */
export interface ControlContext {
  stats: Stats;
  store: LeaseStore;
  dhcpState: DhcpState;
  /** the configuration serving now */
  config(): Dhcp4Config;
  /** the document serving now, as config-get prints it (`{"Dhcp4": {…}}`) */
  configDoc(): Record<string, unknown>;
  /** the `-c` file */
  configFile: string;
  /**
   * Checks a document given in a command (`{"Dhcp4": {…}}`) the way the file loader checks a file; throws the
   * loader's ConfigError (with `format()`) when it is refused.
   */
  checkDoc(doc: Record<string, unknown>): LoadedConfig;
  /** Swaps in a checked configuration whole (config-set); throws when it cannot be applied (e.g. a new KV path). */
  applyConfig(loaded: LoadedConfig): Promise<void>;
  /** Re-reads and applies the `-c` file (config-reload, SIGHUP); throws when it is refused. */
  reloadFile(): Promise<void>;
  /**
   * Writes a text file (config-write, lease4-write, lease6-write) through a temporary file renamed over `path`, so
   * the name is replaced, never followed, and a reader never sees half a file. The path was checked first
   * (`writableTarget` with `fs` and `liveFiles`).
   */
  writeTextFile(path: string, text: string): Promise<void>;
  /** real paths and symlinks, for the write commands' checks (mod/control/safe_write.ts) */
  fs: WriteFs;
  /** the files this server lives on, which no command may overwrite */
  liveFiles(): LiveFile[];
  /**
   * lease4-resend-ddns: queues an add NameChangeRequest for the lease (its name and directions as stored); absent
   * when DDNS updating is not enabled.
   */
  resendDdns?(lease: Lease4): void;
  /** Runs one reclamation cycle (leases-reclaim). */
  reclaim(remove: boolean): Promise<{ reclaimed: number }>;
  /** Asks the server to stop after answering (shutdown). */
  shutdown(exitValue: number): void;
  /** milliseconds since the epoch */
  now(): number;
  /** when the server started and when its configuration was last (re)loaded, ms since the epoch */
  startedAt: number;
  reloadedAt(): number;
  pid: number;
  version: string;
  /** the extended version text (build-report) */
  buildReport: string;
  /** the listeners' states for status-get `sockets` */
  socketsStatus(): { status: "ready" | "retrying" | "failed"; errors?: string[] };
  /** the receive queue's depth averaged over the last 10, 100 and 1000 packets (status-get; absent: zeros) */
  packetQueueStats?(): [number, number, number];
}
