/**
 * Client classes of a `Dhcp6` map: Kea's ClientClassDefListParser rules (shared with Dhcp4 through
 * client_classes4.ts: unique names, built-in classes without a test, `member()` of earlier classes only), the
 * test parsed with the DHCPv6 tokens (mod/classify parser6.ts), plus the preferred-lifetime triplet that only
 * DHCPv6 classes carry.
 */

import { checkClassTriplet, compileClientClasses4 } from "./client_classes4.ts";
import type { JsonPath, Problems } from "./errors.ts";
import type { ClientClassIn } from "./client_classes4.ts";
import type { ClientClass6, Options6 } from "./model6.ts";
import type { OptionCodec4 } from "./option_codec.ts";
import type { OptionDataIn } from "./schema_common.ts";
import type { ClientClass6In } from "./schema_parts6.ts";

/**
 * Compiles the Dhcp6 `client-classes` list in order. Problems are recorded at `Dhcp6.client-classes[i].…`; a
 * class with a problem is left out. A class's min/max preferred lifetime must bracket its preferred lifetime,
 * as for the valid lifetime.
 */
export function compileClientClasses6(
  list: ClientClass6In[] | undefined,
  codec: OptionCodec4,
  encode: (list: OptionDataIn[] | undefined, path: JsonPath) => Options6,
  problems: Problems,
): ClientClass6[] {
  const compiled = compileClientClasses4(
    list as ClientClassIn[] | undefined,
    codec,
    encode,
    problems,
    { root: "Dhcp6", space: "dhcp6", family: 6 },
  );
  return compiled.map((c) => {
    const i = (list ?? []).findIndex((x) => x.name === c.name);
    const src = list![i];
    const out: ClientClass6 = { name: c.name, afterHost: c.afterHost, additional: c.additional, options: c.options };
    if (c.test) out.test = c.test;
    if (c.templateTest) out.templateTest = c.templateTest;
    for (
      const [k, key] of [
        ["validLifetime", "valid-lifetime"],
        ["minValidLifetime", "min-valid-lifetime"],
        ["maxValidLifetime", "max-valid-lifetime"],
        ["preferredLifetime", "preferred-lifetime"],
        ["minPreferredLifetime", "min-preferred-lifetime"],
        ["maxPreferredLifetime", "max-preferred-lifetime"],
      ] as const
    ) {
      if (src[key] !== undefined) out[k] = src[key];
    }
    const p: JsonPath = ["Dhcp6", "client-classes", i];
    checkClassTriplet(
      "preferred-lifetime",
      [out.preferredLifetime, out.minPreferredLifetime, out.maxPreferredLifetime],
      p,
      problems,
    );
    return out;
  });
}
