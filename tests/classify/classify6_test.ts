/**
 * DHCPv6 classification (mod/classify/classify6.ts and the engine's classes6.ts) on the two-relay SOLICIT of
 * fixture6.ts: ALL, Kea's VENDOR_CLASS_ rule (docsis3.0 wins over the first tuple), tests over pkt6 / relay6 /
 * vendor tokens evaluated in configuration order, the KNOWN pass and required classes; then keama's DHCPv6 class
 * cases translated by `weka migrate`, whose tests must evaluate (no EvalError) on a sample SOLICIT.
 */
import assert from "node:assert/strict";
import { parseTest } from "../../mod/classify/expr/parser.ts";
import { classifyQuery6, evaluate6, queryInput6, vendorClass6 } from "../../mod/classify/classify6.ts";
import { evalBool6 } from "../../mod/classify/evaluate6.ts";
import type { ClientClass6, Dhcp6Config } from "../../mod/config/model6.ts";
import { additionalClasses6, classify6, classifyAfterHost6 } from "../../mod/dhcp6/engine/classes6.ts";
import type { Arrival6 } from "../../mod/dhcp6/engine/types.ts";
import { migrate } from "../../mod/migrate/migrate.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { relayedSolicit, solicit, v6 } from "./fixture6.ts";

const cls = (name: string, test?: string, extra: Partial<ClientClass6> = {}): ClientClass6 => ({
  name,
  test: test === undefined ? undefined : parseTest(test, { family: 6 }).expr,
  afterHost: /known/.test(test ?? ""),
  additional: false,
  options: new Map(),
  ...extra,
});

const CLASSES: ClientClass6[] = [
  cls("cable", "vendor-class[4491].exists and vendor[4491].option[36].hex == 'model-x'"),
  cls("port7", "relay6[-1].option[18].hex == 'port7'"),
  cls("edge", "relay6[0].linkaddr == 2001:db8:1::1 and member('port7')"),
  cls("early", "member('late')"), // 'late' is defined after it, so Kea sees it unset
  cls("late", "pkt6.msgtype == 1"),
  cls("v4only", "pkt6.transid == 0 or substring(relay6[0].peeraddr, 0, 2) == 0xfe81"),
  cls("known-cable", "known and member('cable')"),
  cls("extra", "pkt.iface == 'eth0'", { additional: true }),
];
const CONFIG = { clientClasses: CLASSES } as unknown as Dhcp6Config;
const ARRIVAL: Arrival6 = { iface: "eth0", srcAddr: v6("2001:db8:1::1"), dstAddr: v6("2001:db8::53"), localAddrs: [] };

Deno.test("classify6: first pass over the relayed SOLICIT, in configuration order", () => {
  const set = classifyQuery6(relayedSolicit(), CLASSES, { iface: "eth0" });
  assert.deepEqual([...set], ["ALL", "VENDOR_CLASS_docsis3.0", "cable", "port7", "edge", "late"]);
});

Deno.test("classify6: VENDOR_CLASS_ takes docsis3.0, then eRouter1.0, else the first tuple (Kea's classifyByVendor)", () => {
  const m = solicit();
  assert.equal(vendorClass6(m), "VENDOR_CLASS_docsis3.0");
  const tuples = (...t: string[]) => {
    const bytes = t.flatMap((s) => [0, s.length, ...new TextEncoder().encode(s)]);
    return { code: 16, data: new Uint8Array([0, 0, 0x11, 0x8b, ...bytes]) };
  };
  m.options = [tuples("x", "eRouter1.0")];
  assert.equal(vendorClass6(m), "VENDOR_CLASS_eRouter1.0");
  m.options = [tuples("first", "second")];
  assert.equal(vendorClass6(m), "VENDOR_CLASS_first");
  m.options = [{ code: 16, data: new Uint8Array([0, 0, 0x11, 0x8b]) }]; // no tuple: no class
  assert.equal(vendorClass6(m), undefined);
});

Deno.test("classes6: the engine passes see the relays, the arrival and the host's classes", () => {
  const outer = relayedSolicit();
  const relays = [outer, outer.inner as Extract<typeof outer.inner, { kind: "relay" }>];
  const msg = solicit();
  const set = classify6(msg, CONFIG, ARRIVAL, relays)!;
  assert.ok(set.has("port7") && set.has("edge") && set.has("cable"));
  classifyAfterHost6(set, msg, CONFIG, ARRIVAL, ["gold"], relays);
  assert.ok(set.has("KNOWN") && set.has("gold") && set.has("known-cable"));
  additionalClasses6(set, msg, CONFIG, ARRIVAL, ["extra"], relays);
  assert.ok(set.has("extra"));
  // without the relay chain (older callers pass the interface name only) relay6 tests see no relay
  const bare = classify6(msg, CONFIG, "eth0")!;
  assert.equal(bare.has("port7"), false);
  assert.equal(bare.has("cable"), true);
  assert.equal(classify6(msg, { clientClasses: [] } as unknown as Dhcp6Config, ARRIVAL), undefined);
});

Deno.test("classify6: a test that fails to evaluate leaves the class out", () => {
  const bad = cls("bad", "uint16totext(relay6[0].peeraddr) == '1'");
  assert.equal(evaluate6(bad, queryInput6(relayedSolicit(), {}, new Set())), false);
  assert.equal(evaluate6(cls("none"), queryInput6(relayedSolicit(), {}, new Set())), false);
});

// keama's DHCPv6 class cases (ISC's keama test suite), translated by weka migrate and compiled by the loader
const KEAMA = new URL("../../../shared/conformance/keama/", import.meta.url).pathname;
const keamaPresent = (() => {
  try {
    return Deno.statSync(KEAMA).isDirectory;
  } catch {
    return false;
  }
})();
if (!keamaPresent) console.log(`skipping keama's DHCPv6 class cases: ${KEAMA} is absent`);

/** A SOLICIT carrying the options keama's class tests look at: 1250 "version2" (mysystem), 45 "foobar". */
function keamaSolicit() {
  const m = solicit();
  m.options.push({ code: 45, data: new TextEncoder().encode("foobar") });
  m.options.push({ code: 1250, data: new TextEncoder().encode("version2") });
  return m;
}

/** Expected matches on keamaSolicit() for the cases that name classes with tests. */
const EXPECT: Record<string, number> = {
  "bintadx6": 0, // option[45] == '7-66-6f-6f'
  "encodedx6": 1, // not (option[45] == 'ar')
  "groupclass6": 1, // version2 only
  "permitauth6": 0, // not member('ALL')
  "pickdx6": 1, // 'foobar' matches, '' does not
  "subclass6": 1, // version2 only
  "subclassbinsel6": 0, // binary selectors
};

Deno.test({
  name: "classify6: keama's DHCPv6 class tests evaluate on a sample SOLICIT without EvalError",
  ignore: !keamaPresent,
  fn: () => {
    let evaluated = 0;
    for (const [f, want] of Object.entries(EXPECT)) {
      const text = Deno.readTextFileSync(`${KEAMA}${f}.in6`);
      const out = migrate(text, { v6: true, file: `${f}.in6`, resolver: () => undefined });
      const c = parseConfigText(out.text.replaceAll('"en0"', '"lo"'), `${f}.json`, () => "");
      const classes = c.dhcp6?.clientClasses ?? [];
      const tested = classes.filter((k) => k.test);
      assert.ok(tested.length > 0, `${f}: no class with a test compiled`);
      const input = queryInput6(keamaSolicit(), { iface: "lo" }, new Set(["ALL"]));
      let matched = 0;
      for (const k of tested) {
        // evalBool6 directly: an EvalError here fails the test
        if (evalBool6(k.test!, input)) matched++;
        evaluated++;
      }
      assert.equal(matched, want, `${f}: ${matched} of ${tested.length} tests hold, expected ${want}`);
    }
    assert.ok(evaluated >= 15);
  },
});
