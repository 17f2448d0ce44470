/**
 * Helpers shared by the Dhcp4 loader tests: parse a config text with the stub option codec and no includes, and
 * return the compiled Dhcp4 model, its warnings, or the problems of a refused text formatted as `config-test`
 * prints them (`file:line:col: path: message`).
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import type { Dhcp4Config } from "../../mod/config/model.ts";
import { stubCodec } from "./stub_codec.ts";

/** An include reader that fails the test: these texts have no `<?include?>`. */
export const noIncludes = (p: string): string => {
  throw new Error(`unexpected include ${p}`);
};

/** Loads `{ "Dhcp4": dhcp4 }` (file "t.json") and returns the model and the warnings as `path: message`. */
export function load4WithWarnings(dhcp4: Record<string, unknown>): { c: Dhcp4Config; warnings: string[] } {
  const r = parseConfigText(JSON.stringify({ Dhcp4: dhcp4 }), "t.json", noIncludes, { codec: stubCodec });
  assert.ok(r.dhcp4);
  return { c: r.dhcp4, warnings: r.warnings.map((w) => `${w.path}: ${w.message}`) };
}

/** Loads `{ "Dhcp4": dhcp4 }` (file "t.json") and returns the compiled model. */
export function load4(dhcp4: Record<string, unknown>): Dhcp4Config {
  return load4WithWarnings(dhcp4).c;
}

/** The problems (`file:line:col: path: message`) of a refused text, loaded as file `file`; fails if accepted. */
export function refused(text: string, file: string): string[] {
  try {
    parseConfigText(text, file, noIncludes, { codec: stubCodec });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
  assert.fail(`the configuration was accepted: ${text}`);
}
