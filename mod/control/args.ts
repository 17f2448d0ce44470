/**
 * Argument validation for control commands with valibot (valibot for command arguments, as for the configuration). A failed check
 * becomes a result-1 answer whose text names the argument and what is wrong with it, e.g.
 * "lease4-add: 'valid-lft' must be an integer 0..4294967295 (got -5)", as Kea's commands name the bad parameter.
 */
import * as v from "valibot";
import { CommandError, Result } from "./answer.ts";

/** An unsigned 32-bit integer argument. */
export const uint32 = v.pipe(
  v.number("must be a number"),
  v.integer("must be an integer 0..4294967295"),
  v.minValue(0, "must be an integer 0..4294967295"),
  v.maxValue(0xffffffff, "must be an integer 0..4294967295"),
);

/** A JSON map argument (user-context). */
export const jsonMap = v.record(v.string(), v.unknown(), "must be a map");

/**
 * Checks `args` against `schema`; returns the typed output or throws a result-1 CommandError whose text names the
 * command, the argument path and the problem (and the value given).
 */
export function checkArgs<S extends v.GenericSchema>(
  cmd: string,
  schema: S,
  args: Record<string, unknown> | undefined,
): v.InferOutput<S> {
  const r = v.safeParse(schema, args ?? {});
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = (issue.path ?? []).map((p) => String(p.key)).join(".");
  if (!path) throw new CommandError(Result.ERROR, `${cmd}: ${issue.message}`);
  const got = issue.input === undefined ? "missing" : `got ${JSON.stringify(issue.input)?.slice(0, 60)}`;
  const text = issue.input === undefined ? `missing mandatory '${path}' parameter` : `'${path}' ${issue.message}`;
  throw new CommandError(Result.ERROR, `${cmd}: ${text}${issue.input === undefined ? "" : ` (${got})`}`);
}
