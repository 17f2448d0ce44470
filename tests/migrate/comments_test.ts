// The input's `#` comments next to what they described (mod/migrate/comments.ts), on real corpus files: a header
// above the map, a declaration's comment above its subnet / pool / reservation / class / option-data element, a
// trailing comment above the member its statement became, a group's comment above its first host, comments of
// zones and keys in the D2 output. Every text checked here must still load (the corpus test runs both checkers).
import assert from "node:assert/strict";
import { migrate } from "../../mod/migrate/migrate.ts";
import { parseConfigText } from "../../mod/config/load.ts";
import { migrateCorpusFile } from "./corpus_helpers.ts";
import type { MigrateResult } from "../../mod/migrate/migrate.ts";
import { keaAccepts } from "./migrate_helpers.ts";

function corpus(file: string): MigrateResult {
  const r = migrateCorpusFile(file, file.endsWith(".dhcpd6.conf"));
  if (!("text" in r)) throw r;
  return r;
}

/** The `n` lines after the line that is exactly `comment` (trimmed), skipping further comments and notes. */
function below(text: string, comment: string, n = 1): string[] {
  const lines = text.split("\n").map((l) => l.trim());
  const at = lines.indexOf(comment);
  assert.ok(at >= 0, `no line '${comment}' in:\n${text}`);
  return lines.slice(at + 1).filter((l) => !l.startsWith("//")).slice(0, n);
}

Deno.test("comments: racattack-pxe keeps its header above the map and each comment above its element", () => {
  const r = corpus("racattack-pxe.dhcpd.conf");
  const lines = r.text.split("\n");
  assert.equal(lines[1], "  //", "the header's first line (a bare #) opens the document");
  assert.equal(lines[2], "  // DHCP Server Configuration file.");
  assert.ok(lines.indexOf("  // DHCP Server Configuration file.") < lines.findIndex((l) => l.includes('"Dhcp4"')));
  assert.deepEqual(below(r.text, "// Global Options"), ['"authoritative": true,']);
  assert.deepEqual(below(r.text, "// Subnet definition", 3), ["{", '"id": 1,', '"subnet": "192.168.78.0/24",']);
  assert.deepEqual(below(r.text, "// Parameters for the local subnet", 3), [
    "{",
    '"space": "dhcp4",',
    '"name": "routers",',
  ]);
  assert.deepEqual(below(r.text, "// Client IP range", 2), ["{", '"pool": "192.168.78.100 - 192.168.78.200"']);
});

Deno.test("comments: dafydd2277-bind9 — trailing comments, a group's comment, pools, commented-out parts, D2", () => {
  const r = corpus("dafydd2277-bind9.dhcpd.conf");
  // `default-lease-time 86400;  # 1 day` and `max-lease-time 604800;  # 7 days`
  assert.deepEqual(below(r.text, "// 1 day"), ['"valid-lifetime": 86400,']);
  assert.deepEqual(below(r.text, "// 7 days"), ['"max-valid-lifetime": 604800,']);
  // `# Configure the subnet you're managing.` above `subnet 192.168.1.0 …`
  assert.deepEqual(below(r.text, "// Configure the subnet you're managing.", 3), [
    "{",
    '"id": 2,',
    '"subnet": "192.168.1.0/24",',
  ]);
  // `group # known hosts { host alpha… }`: the group becomes nothing, its comment goes with its host
  assert.deepEqual(below(r.text, "// known hosts", 2), ["{", '"hostname": "alpha",']);
  assert.deepEqual(below(r.text, "// Create a pool of IP addresses for other hosts that request them.", 2), [
    "{",
    '"pool": "192.168.1.101 - 192.168.1.150",',
  ]);
  // the comments above the TSIG key are above it in the D2 output, and in the commented-out copy
  const d2 = r.d2Text!;
  assert.match(d2, /\/\/ See the installation notes for more information\.\n\s+\/\/\/ the secret is not base64 text/);
  assert.match(r.text, /\/\/ {4}\/\/ See the installation notes for more information\./);
  parseConfigText(r.text, "dafydd.json", () => "");
  parseConfigText(d2, "dafydd-d2.json", () => "");
});

Deno.test("comments: whitewater-pxe-uefi — commented-out classes stay where they were, if-branches carry theirs", () => {
  const r = corpus("whitewater-pxe-uefi.dhcpd.conf");
  // `#class "Legacy" { … }` right before `class "ipxe"`: above the ipxe class
  assert.match(r.text, /\/\/ class "Legacy" \{\n(\s+\/\/ .*\n){4}\s+\{\n\s+"name": "ipxe",/);
  // `#    filename "ipxe.efi";` inside the if on option arch: above the first class made of that if
  assert.deepEqual(below(r.text, '//    filename "ipxe.efi";', 2), ["{", '"name": "ipxe#if#25#1",']);
  // the comment of a statement that becomes nothing (`#deny bootp;  #default` above `authoritative;`)
  assert.deepEqual(below(r.text, "// deny bootp;     #default"), ['"authoritative": true,']);
});

Deno.test("comments: padme-dcs — a trailing comment on a host's fixed-address, in its commented-out reservation", () => {
  const r = corpus("padme-dcs.dhcpd.conf");
  // `fixed-address caenvme1; # from /etc/hosts`: the name does not resolve here, so the reservation is commented out
  assert.match(r.text, /\n\/\/ {6}\/\/ from \/etc\/hosts\n\/\/ {6}"ip-address": "caenvme1"\n/);
  // `## The IP of the interface connected to` (two lines) above the subnet
  assert.deepEqual(below(r.text, "// # the crates is assumed to be 10.99.99.1/24", 2), ["{", '"id": 1,']);
});

Deno.test("comments: wenisatgithub-ntp (DHCPv6) — trailing comments of option definitions", () => {
  const r = corpus("wenisatgithub-ntp.dhcpd6.conf");
  assert.deepEqual(below(r.text, "// NTP_SUBOPTION_SRV_ADDR;", 3), ["{", '"space": "ntpserver",', '"name": "addr",']);
  assert.deepEqual(below(r.text, "// NTP_SUBOPTION_SRV_FQDN;", 3), ["{", '"space": "ntpserver",', '"name": "fqdn",']);
});

Deno.test("comments: every place a comment can stand loads in kea-dhcp4 -t and weka's config-test", () => {
  const conf = `# header

# above the option
option domain-name "example.org"; # after the option
shared-network net { # on the brace
  # above the subnet
  subnet 10.0.0.0 netmask 255.255.255.0 {
    pool { # pool
      # in the pool
      range 10.0.0.10 10.0.0.20; # the range
      # before the brace of the pool
    }
    # before the brace of the subnet
  }
  subnet 10.0.1.0 netmask 255.255.255.0 { }
  # before the brace of the network
}
class "c" { # the class
  match if option host-name = "x"; # its test
  # before the brace of the class
}
host h { hardware ethernet 00:00:00:00:00:01; # the MAC
  on commit { log("x"); } # not for Kea
}
# the end
`;
  const r = migrate(conf, { v6: false, file: "all.conf" });
  assert.deepEqual(r.comments.length, 17);
  for (const c of r.comments) {
    assert.ok(r.text.includes(`// ${c.text.replace(/^#\s?/, "")}`), `${c.text} in:\n${r.text}`);
  }
  assert.deepEqual(below(r.text, "// on the brace", 2), ["{", '"name": "net",']);
  assert.deepEqual(below(r.text, "// the range", 2), ["{", '"pool": "10.0.0.10 - 10.0.0.20"']);
  assert.deepEqual(below(r.text, "// its test"), [`"test": "option[12].hex == 'x'"`]);
  assert.deepEqual(below(r.text, "// the MAC"), ['"hw-address": "00:00:00:00:00:01"']);
  assert.match(
    r.text,
    /\/\/ not for Kea\n\s+\/\/\/ executable statement 'on' has no Kea equivalent\n\/\/ +"statement": "on commit/,
  );
  assert.ok(r.text.trimEnd().endsWith("// the end\n}"), r.text);
  parseConfigText(r.text, "all.json", () => "");
  const kea = keaAccepts("kea-dhcp4", r.text);
  if (kea !== undefined) assert.equal(kea, true, `kea-dhcp4 -t refused:\n${r.text}`);
});
