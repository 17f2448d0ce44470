import assert from "node:assert/strict";
import { computeDhcid, dhcidForV4, DhcidType } from "../../../mod/ddns/dns/dhcid.ts";
import { parseHex } from "../../../mod/wire/addr.ts";
import { b64 } from "../fixture.ts";

Deno.test("RFC 4701 §3.6 examples: DUID, client-id, htype+chaddr", () => {
  assert.deepEqual(
    computeDhcid(DhcidType.DUID, parseHex("00:01:00:06:41:2d:f1:66:01:02:03:04:05:06")!, "chi6.example.com"),
    b64("AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="),
  );
  assert.deepEqual(
    computeDhcid(DhcidType.CLIENT_ID, parseHex("01:07:08:09:0a:0b:0c")!, "chi.example.com."),
    b64("AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No="),
  );
  assert.deepEqual(
    computeDhcid(DhcidType.HWADDR, parseHex("01:01:02:03:04:05:06")!, "client.example.com."),
    b64("AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY="),
  );
});

Deno.test("FQDN is hashed in canonical (lower-case) form", () => {
  const a = computeDhcid(1, parseHex("01:07:08:09:0a:0b:0c")!, "CHI.Example.COM");
  assert.deepEqual(a, b64("AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No="));
});

Deno.test("dhcidForV4 picks client-id, RFC 4361 DUID, or htype+chaddr as Kea does", () => {
  const mac = parseHex("01:02:03:04:05:06")!;
  assert.deepEqual(
    dhcidForV4(1, mac, undefined, "client.example.com."),
    b64("AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY="),
  );
  assert.deepEqual(
    dhcidForV4(1, mac, parseHex("01:07:08:09:0a:0b:0c"), "chi.example.com."),
    b64("AAEBOSD+XR3Os/0LozeXVqcNc7FwCfQdWL3b/NaiUDlW2No="),
  );
  const rfc4361 = parseHex("ff:00:00:00:01:00:01:00:06:41:2d:f1:66:01:02:03:04:05:06")!;
  assert.deepEqual(
    dhcidForV4(1, mac, rfc4361, "chi6.example.com."),
    b64("AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA="),
  );
});
