/**
 * weka's DHCPv6 DDNS against real kea-dhcp6 2.2, byte for byte: the scenarios of scenarios6.ts (option 39 in its
 * forms, S/N/O overrides, generated names, renewals, release, decline, prefixes, expiry) run against weka's server
 * edge (fake transport, in-memory lease store, the clock set to each step's time in the capture) with Kea's
 * configuration and server DUID, and every NameChangeRequest weka hands its DDNS sender must be the exact JSON
 * kea-dhcp6 sent (tests/fixtures/dhcp6/kea_ncr6_*.json, made by capture_kea_ncr6.ts in the lab), and every
 * reply's Client FQDN option (39) the exact bytes Kea answered with. One deliberate difference: with
 * `ddns-replace-client-name: always` a client asking only for a prefix gets no name to generate, and Kea 2.2 drops
 * its REQUEST ("empty FQDN used to create DHCID") after allocating the prefix; weka answers it, without an NCR.
 */
import assert from "node:assert/strict";
import { parseHex } from "../../../mod/wire/addr.ts";
import { decode6 } from "../../../mod/packet6/codec.ts";
import { getOption6 } from "../../../mod/packet6/packet.ts";
import { dhcp6Map, hex, type StepRecord } from "./scenarios6.ts";
import { runOnWeka6 } from "./weka6_harness.ts";
import { inner } from "../fixtures6.ts";

const FIXTURES = new URL("../../fixtures/dhcp6/", import.meta.url).pathname;

interface Capture {
  serverDuid: string;
  steps: StepRecord[];
}

function option39(reply: string): string | undefined {
  if (!reply) return undefined;
  const m = inner(decode6(parseHex(reply)!));
  const o = getOption6(m.options, 39);
  return o ? hex(o) : "none";
}

for (const which of ["listing", "alt"]) {
  Deno.test(`ddns6 ${which}: weka's NCRs and option 39 are kea-dhcp6 2.2's, byte for byte`, async () => {
    const kea: Capture = JSON.parse(await Deno.readTextFile(`${FIXTURES}/kea_ncr6_${which}.json`));
    const ours = await runOnWeka6({
      dhcp6: dhcp6Map(which, "127.0.0.1"),
      serverDuid: parseHex(kea.serverDuid)!,
      times: kea.steps.map((s) => s.t),
    });
    assert.equal(ours.length, kea.steps.length);
    let ncrs = 0;
    ours.forEach((w, i) => {
      const k = kea.steps[i];
      assert.deepEqual(w.ncrs, k.ncrs, `step ${i} "${k.what}": NCRs`);
      ncrs += k.ncrs.length;
      k.replies.forEach((kr, j) => {
        if (kr === "") {
          // Kea 2.2 dropped this REQUEST (IA_PD only, name to be generated): weka answers it
          assert.ok(w.replies[j], `step ${i}: weka answers where Kea 2.2 drops`);
          return;
        }
        assert.equal(option39(w.replies[j]), option39(kr), `step ${i} "${k.what}": reply ${j}'s option 39`);
      });
    });
    assert.ok(ncrs >= 13, `the capture holds ${ncrs} NCRs`);
  });
}
