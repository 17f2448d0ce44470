// keama's `%` directives in `weka migrate` (mod/migrate/parse_directive.ts): the option status words (who knows
// an option: ISC DHCP, then Kea), alias, code, local, define, check and the space variants; each legal form's
// effect on the translation, each illegal one refused with keama's message at file:line:col.
import assert from "node:assert/strict";
import { migrate } from "../../mod/migrate/migrate.ts";
import { Lexer } from "../../mod/migrate/lexer.ts";
import { keaAccepts, migrateError as err } from "./migrate_helpers.ts";

type Obj = Record<string, unknown>;

function run(text: string, v6 = false) {
  const r = migrate(text, { v6, file: "t.conf" });
  const d = r.config[v6 ? "Dhcp6" : "Dhcp4"] as Obj;
  return { r, data: (d["option-data"] ?? []) as Obj[], defs: (d["option-def"] ?? []) as Obj[] };
}

/** Asserts the refusal: whole first line `t.conf:LINE:COL: message (at 'token')`. */
function refused(text: string, line: number, col: number, reason: string, token: string): void {
  const e = err(text);
  assert.equal(e.message, `t.conf:${line}:${col}: ${reason} (at '${token}')`);
}

const FOOBAR = "option space foobar;\noption foobar.opt1 code 1 = text;\n";

Deno.test("% lexes as one punctuation token at the start of a token, and stays inside a word", () => {
  const lx = new Lexer("t.conf", "%option a%b\n %");
  assert.deepEqual([lx.next(), lx.next(), lx.next(), lx.next()].map((t) => [t.kind, t.text, t.line, t.col]), [
    ["punct", "%", 1, 1],
    ["word", "option", 1, 2],
    ["word", "a%b", 1, 9],
    ["punct", "%", 2, 2],
  ]);
});

Deno.test("known unknown: ISC DHCP only, so later data is commented out and counted; earlier data stays", () => {
  const { r, data } = run(`option domain-name "before.example";
% option domain-name known unknown;
option domain-name "after.example";
subnet 10.0.0.0 netmask 255.255.255.0 { option domain-name "sub.example"; }`);
  assert.deepEqual(data, [{ space: "dhcp4", name: "domain-name", code: 15, data: "before.example" }]);
  const sub = ((r.config.Dhcp4 as Obj).subnet4 as Obj[])[0];
  assert.deepEqual(sub["option-data"], [], "the subnet's data is commented out too");
  assert.deepEqual(r.issues.map((i) => i.loc.line), [3, 4]);
  assert.match(r.text, /\/\/\/ option dhcp4\.domain-name is not known by Kea/);
  assert.match(r.text, /\/\/ {6}"data": "after\.example"/);
  const ok = keaAccepts("kea-dhcp4", r.text);
  if (ok !== undefined) assert.equal(ok, true, "kea-dhcp4 -t accepts the translation");
});

Deno.test("known unknown on a configuration-defined option: its definition stays, its data goes", () => {
  const { r, data, defs } = run(`${FOOBAR}% option foobar.opt1 known unknown;\noption foobar.opt1 "x";`);
  assert.deepEqual(defs, [{ space: "foobar", name: "opt1", code: 1, type: "string" }]);
  assert.deepEqual(data, []);
  assert.equal(r.issues.length, 1);
});

Deno.test("unknown known: Kea only, so dhcpd.conf can no longer name the option", () => {
  refused("% option routers unknown known;\noption routers 10.0.0.1;", 2, 8, "unknown option dhcp.routers", "routers");
  // a definition of it is a redefinition: commented out, and its data after that is Kea-unknown
  const { r, data, defs } = run(`% option routers unknown known;
option dhcp.routers code 3 = ip-address;
option routers 10.0.0.1;`);
  assert.deepEqual(defs, []);
  assert.deepEqual(data, []);
  assert.match(r.text, /\/\/\/ Kea does not allow redefinition of options/);
  assert.deepEqual(r.issues.map((i) => i.loc.line), [2, 3]);
});

Deno.test("known known: a standard option is unchanged, a defined one can no longer be redefined", () => {
  const std = run(`% option routers known known;\noption routers 10.0.0.1;`);
  assert.deepEqual(std.data, [{ space: "dhcp4", name: "routers", code: 3, data: "10.0.0.1" }]);
  assert.equal(std.r.issues.length, 0);
  const { r, defs } = run(`${FOOBAR}% option foobar.opt1 known known;\noption foobar.opt1 code 1 = ip-address;`);
  assert.deepEqual(defs, [{ space: "foobar", name: "opt1", code: 1, type: "string" }]);
  assert.match(r.text, /\/\/ {6}"type": "ipv4-address"/);
  assert.deepEqual(r.issues.map((i) => i.loc.line), [4]);
});

Deno.test("dynamic: a new name may then be defined and used; an already defined one may not be redefined", () => {
  const { data, defs } = run(`option space foo;
% option foo.new dynamic;
option foo.new code 9 = unsigned integer 8;
option foo.new 7;`);
  assert.deepEqual(defs, [{ space: "foo", name: "new", code: 9, type: "uint8" }]);
  assert.deepEqual(data, [{ space: "foo", name: "new", code: 9, data: "7" }]);
  const again = run(`${FOOBAR}% option foobar.opt1 dynamic;\noption foobar.opt1 code 1 = text;`);
  assert.equal(again.defs.length, 1);
  assert.equal(again.r.issues.length, 1);
});

Deno.test("status keywords are case-insensitive, as in keama's lexer", () => {
  const { data } = run(`% OPTION domain-name Known UNKNOWN;\noption domain-name "x.example";`);
  assert.deepEqual(data, []);
});

Deno.test("unknown unknown is refused: known by nobody (keama's badstatusdir case and variants)", () => {
  refused(
    `${FOOBAR}# unknown/unknown does not make sense\n% option foobar.opt1 unknown unknown;`,
    4,
    30,
    "illicit combination: option foobar.opt1 code 1 is known by nobody",
    "unknown",
  );
  refused(
    "% option domain-name unknown unknown;",
    1,
    30,
    "illicit combination: option dhcp4.domain-name code 15 is known by nobody",
    "unknown",
  );
  // a name nobody defines has code 0, as keama allocates it
  refused(
    "option space s;\n% option s.x unknown unknown;",
    2,
    22,
    "illicit combination: option s.x code 0 is known by nobody",
    "unknown",
  );
});

Deno.test("other bad status directives are refused with keama's messages", () => {
  refused(`${FOOBAR}% option foobar.opt1 known maybe;`, 3, 28, "expected KNOWN or UNKNOWN", "maybe");
  refused(`${FOOBAR}% option foobar.opt1 unknown 7;`, 3, 30, "expected KNOWN or UNKNOWN", "7");
  refused(`${FOOBAR}% option foobar.opt1 sometimes;`, 3, 22, "unknown option directive sometimes", "sometimes");
  refused("% subnet;", 1, 3, "unknown directive subnet", "subnet");
  refused("% option nospace.x known known;", 1, 10, "no option space named nospace.", "nospace.x");
  refused("% option vsio.x known known;", 1, 10, "attempt to modify config vsio.x", "vsio.x");
  refused("% option routers known known\nsubnet 10.0.0.0 netmask 255.0.0.0 {}", 2, 1, "semicolon expected.", "subnet");
  refused(
    "subnet 10.0.0.0 netmask 255.0.0.0 {\n  % option routers known known;\n}",
    2,
    3,
    "directives are only supported at toplevel",
    "%",
  );
  refused("group {\n% option routers known known;\n}", 2, 1, "directives are only supported at toplevel", "%");
});

Deno.test("alias renames an option for Kea (before or after its definition); only a dynamic one", () => {
  const { data, defs } = run(`option space foo;
% option foo.bar alias baz;
option foo.bar code 5 = text;
option foo.bar "x";
option foo.late code 6 = text;
% option foo.late alias later;`);
  assert.deepEqual(defs.map((d) => d.name), ["baz", "later"]);
  assert.deepEqual(data, [{ space: "foo", name: "baz", code: 5, data: "x" }]);
  refused("% option routers alias gw;", 1, 24, "attempt to rename dhcp4.routers to gw", "gw");
});

Deno.test("code N = FORMAT defines an option in ISC DHCP's format, converted to Kea types", () => {
  const { data, defs } = run(`option space foo;
% option foo.list code 7 = "Ia";
% option foo.rec code 8 = "BS";
% option foo.raw code 9 = "X";
option foo.list 10.0.0.1, 10.0.0.2;`);
  assert.deepEqual(defs, [
    { space: "foo", name: "list", code: 7, type: "ipv4-address", array: true },
    { space: "foo", name: "rec", code: 8, "record-types": "uint8, uint16", type: "record" },
    { space: "foo", name: "raw", code: 9, type: "binary" },
  ]);
  assert.deepEqual(data, [{ space: "foo", name: "list", code: 7, data: "10.0.0.1, 10.0.0.2" }]);
  refused('% option routers code 3 = "I";', 1, 23, "attempt to redefine dhcp4.routers code 3", "3");
  refused('% option dhcp.gw code 3 = "I";', 1, 23, "attempt to redefine dhcp4.gw code 3", "3");
  refused('option space foo;\n% option foo.e code 4 = "Efoo.";', 2, 25, "option foo.e code 4 encapsulate?", "Efoo.");
  refused(
    'option space foo;\n% option foo.q code 4 = "Q";',
    2,
    25,
    'failed to convert format "Q" for option foo.q code 4',
    "Q",
  );
  refused("option space foo;\n% option foo.q code x;", 2, 21, "expecting option code number.", "x");
  refused('option space foo;\n% option foo.q code 4 "I";', 2, 23, 'expecting "="', "I");
});

Deno.test("local keeps a definition for ISC DHCP only; define writes one for a standard option", () => {
  const local = run(`option space foo;
option foo.bar code 5 = text;
% option foo.bar local;
option foo.bar "x";`);
  assert.deepEqual(local.defs, []);
  assert.deepEqual(local.data, [{ space: "foo", name: "bar", code: 5, data: "x" }]);
  refused("option space foo;\n% option foo.none local;", 2, 10, "unknown code for option foo.none", "foo.none");
  refused("% option routers local;", 1, 10, "can't find option dhcp4.routers code 3 in definitions", "routers");
  const { defs } = run("% option tftp-server-name define;");
  assert.deepEqual(defs, [{ space: "dhcp4", name: "tftp-server-name", code: 66, type: "string" }]);
  refused(
    "% option tftp-server-name define;\n% option tftp-server-name define;",
    2,
    10,
    "unexpected definition for option dhcp4.tftp-server-name code 66",
    "tftp-server-name",
  );
});

Deno.test("check prints what the translator knows, as a note, and changes nothing", () => {
  const { r, data, defs } = run(`${FOOBAR}% option foobar.opt1 check;\n% option space foobar check;`);
  assert.deepEqual(r.notes.map((n) => [n.loc.line, n.message]), [
    [3, "option ISC DHCP (Kea) foobar.opt1 (foobar.opt1) type string array false status dynamic (dynamic)"],
    [4, "space ISC DHCP (Kea) foobar (foobar) status dynamic (dynamic)"],
  ]);
  assert.equal(defs.length, 1);
  assert.deepEqual(data, []);
});

Deno.test("space directives: alias renames a declared space, statuses as for options", () => {
  const { defs } = run(`option space foo;
% option space foo alias bar;
option foo.x code 1 = text;`);
  assert.deepEqual(defs, [{ space: "bar", name: "x", code: 1, type: "string" }]);
  refused("% option space dhcp alias x;", 1, 27, "attempt to rename dhcp4 to x", "x");
  refused("% option space nope check;", 1, 16, "can't find space 'nope'", "nope");
  refused(
    "option space foo;\n% option space foo unknown unknown;",
    2,
    28,
    "illicit combination: space foo is known by nobody",
    "unknown",
  );
  refused(
    "option space foo;\n% option space foo sometimes;",
    2,
    20,
    "expected KNOWN or UNKNOWN or DYNAMIC",
    "sometimes",
  );
  // unknown to ISC DHCP: dhcpd.conf can no longer name the space
  refused(
    "option space foo;\n% option space foo unknown known;\noption foo.x code 1 = text;",
    3,
    8,
    "no option space named foo.",
    "foo.x",
  );
});
