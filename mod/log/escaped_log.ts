/**
 * A Log whose every text is escaped and capped (mod/wire/printable.ts) before it reaches the sinks: for services
 * whose log lines quote what an untrusted peer sent all over the place (D2 logs an NCR's FQDN, address and DHCID
 * in most of its lines), so no sender can break a line or flood one (docs/ARCHITECTURE.md rule 8). Message ids and levels
 * are unchanged; text without control characters passes through as it is.
 */
import type { Log } from "./logger.ts";
import { printable } from "../wire/printable.ts";

/** The longest text an escaped Log writes, in characters (a D2 line with a 255-octet name fits). */
export const ESCAPED_LOG_MAX = 1024;

/** Wraps `log` so that each text goes through {@link printable} with a `max`-character cap. */
export function escapedLog(log: Log, max = ESCAPED_LOG_MAX): Log {
  return {
    debug: (id, text, level) => log.debug(id, printable(text, max), level), // Kea debug level kept: debuglevel filters
    info: (id, text) => log.info(id, printable(text, max)),
    warn: (id, text) => log.warn(id, printable(text, max)),
    error: (id, text) => log.error(id, printable(text, max)),
    get infoEnabled() {
      return log.infoEnabled;
    },
    get debugEnabled() {
      return log.debugEnabled;
    },
  };
}
