/**
 * Kea's DHCP service state for `dhcp-disable` / `dhcp-enable` (NetworkState in src/lib/dhcpsrv/network_state.h):
 * the service is disabled while any origin holds it disabled — the user (origin "user", or origin-id 1), HA's
 * local state machine, or an HA partner (origin-id 2000+N). A user disable may carry `max-period` seconds, after
 * which the service is enabled again on its own. Timers are injected so tests run on fake time.
 * Bounded: at most {@link MAX_ORIGINS} local and as many remote origin ids hold the service at once (Kea keeps an
 * unbounded set; a partner or a control user could grow it with one id after another); a disable from one more
 * is refused with result 1 and changes nothing.
 */
import { CommandError, Result } from "./answer.ts";

/** Origin ids of one kind (local, remote) that may hold the service disabled at once. */
export const MAX_ORIGINS = 64;

/** Timer functions (setTimeout/clearTimeout by default). */
export interface StateTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The `dhcp-state` map of Kea's status-get. */
export interface DhcpStateReport {
  "globally-disabled": boolean;
  "disabled-by-user": boolean;
  "disabled-by-local-command": number[];
  "disabled-by-remote-command": number[];
  "disabled-by-db-connection": number;
}

/** Who disables: the user (origin-id 1), HA locally (origin-id 1000+N) or an HA partner (2000+N). */
export type DisableOrigin = { kind: "user" } | { kind: "local"; id: number } | { kind: "remote"; id: number };

/**
 * Maps Kea's `origin` / `origin-id` arguments to an origin: "user" or absent → user; "ha-partner" → remote 2000;
 * origin-id 1 → user, 1000..1999 → local, ≥ 2000 → remote. Returns an error text for anything else.
 */
export function parseOrigin(origin: unknown, originId: unknown): DisableOrigin | string {
  if (originId !== undefined) {
    if (typeof originId !== "number" || !Number.isInteger(originId) || originId < 1) {
      return "'origin-id' must be a positive integer";
    }
    if (originId === 1) return { kind: "user" };
    if (originId >= 2000) return { kind: "remote", id: originId };
    if (originId >= 1000) return { kind: "local", id: originId };
    return `'origin-id' ${originId} is not a known origin (1 = user, 1000+N = HA local, 2000+N = HA partner)`;
  }
  if (origin === undefined || origin === "user") return { kind: "user" };
  if (origin === "ha-partner") return { kind: "remote", id: 2000 };
  return `'origin' must be "user" or "ha-partner", not ${JSON.stringify(origin)}`;
}

/** The service state; `onChange(enabled)` is called whenever the overall state flips. */
export class DhcpState {
  private user = false;
  private readonly local = new Set<number>();
  private readonly remote = new Set<number>();
  private timer: unknown;

  constructor(
    private readonly onChange: (enabled: boolean) => void,
    private readonly timers: StateTimers = {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (id) => clearTimeout(id as number),
    },
  ) {}

  /** True when no origin holds the service disabled. */
  enabled(): boolean {
    return !this.user && this.local.size === 0 && this.remote.size === 0;
  }

  /**
   * Disables for `origin`; a user disable with `maxPeriod` seconds re-enables itself after that time. Throws a
   * result-1 CommandError for a new origin id past {@link MAX_ORIGINS} of its kind.
   */
  disable(origin: DisableOrigin, maxPeriod?: number): void {
    const before = this.enabled();
    if (origin.kind === "user") {
      this.user = true;
      this.clearTimer();
      if (maxPeriod !== undefined && maxPeriod > 0) {
        this.timer = this.timers.setTimeout(() => {
          this.timer = undefined;
          this.enable({ kind: "user" });
        }, maxPeriod * 1000);
      }
    } else {
      const set = origin.kind === "local" ? this.local : this.remote;
      if (!set.has(origin.id) && set.size >= MAX_ORIGINS) {
        throw new CommandError(
          Result.ERROR,
          `${MAX_ORIGINS} ${origin.kind} origins already hold the DHCP service disabled; origin-id ${origin.id} ` +
            "refused (enable with one of them first)",
        );
      }
      set.add(origin.id);
    }
    if (before !== this.enabled()) this.onChange(this.enabled());
  }

  /** Lifts `origin`'s disable; the service runs again once no origin holds it. */
  enable(origin: DisableOrigin): void {
    const before = this.enabled();
    if (origin.kind === "user") {
      this.user = false;
      this.clearTimer();
    } else (origin.kind === "local" ? this.local : this.remote).delete(origin.id);
    if (before !== this.enabled()) this.onChange(this.enabled());
  }

  /** Kea's status-get `dhcp-state` map. */
  report(): DhcpStateReport {
    return {
      "globally-disabled": !this.enabled(),
      "disabled-by-user": this.user,
      "disabled-by-local-command": [...this.local],
      "disabled-by-remote-command": [...this.remote],
      "disabled-by-db-connection": 0,
    };
  }

  /** Cancels a pending max-period timer (shutdown). */
  clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
