/**
 * ISC's premium hook libraries are refused in one line that names what they are, in Dhcp4 and in Dhcp6, so an
 * operator can tell "weka does not offer it" from a typo; an unknown library keeps the list of what is built in.
 */
import assert from "node:assert/strict";
import { ConfigError, formatProblem } from "../../mod/config/errors.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { PREMIUM_HOOKS } from "../../mod/config/defaults.ts";
import { noIncludes } from "./load_helpers.ts";

function problems(map: "Dhcp4" | "Dhcp6", library: string): string[] {
  try {
    parseConfigText(JSON.stringify({ [map]: { "hooks-libraries": [{ library }] } }), "h.json", noIncludes);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => formatProblem(p).replace(/^h\.json:\d+:\d+: /, ""));
    throw e;
  }
  return [];
}

Deno.test("premium hooks: refused by name in Dhcp4 and Dhcp6, one line each", () => {
  for (const [file, what] of Object.entries(PREMIUM_HOOKS)) {
    for (const map of ["Dhcp4", "Dhcp6"] as const) {
      assert.deepEqual(problems(map, `/usr/lib/kea/hooks/${file}`), [
        `${map}.hooks-libraries[0].library: hook library '${file}' is ISC's premium ${what} hook, which weka does not offer: remove this entry`,
      ]);
    }
  }
  assert.match(
    problems("Dhcp4", "/opt/site/libmine.so")[0],
    /hook library 'libmine\.so' is not supported: weka builds in only/,
  );
});
