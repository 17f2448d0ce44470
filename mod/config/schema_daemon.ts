/**
 * The maps every Kea daemon's grammar shares, in one schema each: `loggers` (Kea's logging.rst, the same in
 * kea-dhcp4, kea-dhcp6, kea-dhcp-ddns and kea-ctrl-agent) and `hooks-libraries` entries. `Dhcp4`, `Dhcp6`,
 * `DhcpDdns` and `Control-agent` use them, and compile_common.ts compiles `loggers` for all of them.
 */
import * as v from "valibot";
import { annotations, bool, nonEmptyStr, str, strictMap, uint32 } from "./schema_common.ts";

const outputOption = strictMap({
  output: nonEmptyStr,
  flush: v.optional(bool),
  maxsize: v.optional(uint32),
  maxver: v.optional(uint32),
  pattern: v.optional(str),
  ...annotations,
}, "must be a map");

/** One `loggers` entry: Kea 2.2's `output_options` and the newer `output-options` are both accepted. */
export const logger = strictMap({
  name: str,
  output_options: v.optional(v.array(outputOption, "must be a list")),
  "output-options": v.optional(v.array(outputOption, "must be a list")),
  severity: v.optional(
    v.picklist(["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "NONE"], "must be FATAL, ERROR, WARN, INFO, DEBUG or NONE"),
  ),
  debuglevel: v.optional(v.pipe(uint32, v.maxValue(99, "must be 0..99"))),
  ...annotations,
}, "must be a map");

/** The `loggers` list of any daemon's map. */
export const loggerList = v.array(logger, "must be a list");

/** A validated `loggers` entry. */
export type LoggerIn = v.InferOutput<typeof logger>;

/**
 * One `hooks-libraries` entry: the library path and its free-form `parameters` (each built-in hook checks its own,
 * e.g. compile_ha.ts for libdhcp_ha.so).
 */
export const hookLibrary = strictMap({
  library: nonEmptyStr,
  parameters: v.optional(v.record(v.string(), v.unknown(), "must be a map")),
  ...annotations,
}, "must be a map");

/** The `hooks-libraries` list of any daemon's map. */
export const hookLibraryList = v.array(hookLibrary, "must be a list");
