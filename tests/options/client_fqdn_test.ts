import assert, { deepStrictEqual, equal, throws } from "node:assert/strict";
import { encodeClientFqdn, parseClientFqdn } from "../../mod/options/mod.ts";
import { DecodeError } from "../../mod/wire/errors.ts";
import { toHex } from "../../mod/wire/addr.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("parseClientFqdn: wire encoding (E=1), full name", () => {
  // flags S|E, rcode 0/0, 4 "host" 7 "example" 3 "org" 0
  const p = Uint8Array.of(0x05, 0, 0, 4, ...bytes("host"), 7, ...bytes("example"), 3, ...bytes("org"), 0);
  const f = parseClientFqdn(p);
  deepStrictEqual(f.flags, { s: true, o: false, e: true, n: false });
  equal(f.name, "host.example.org.");
  equal(f.partial, false);
  equal(toHex(encodeClientFqdn(f)), toHex(p));
});

Deno.test("parseClientFqdn: wire encoding, partial name (no root label)", () => {
  const p = Uint8Array.of(0x04, 0, 0, 4, ...bytes("host"));
  const f = parseClientFqdn(p);
  equal(f.name, "host");
  equal(f.partial, true);
  equal(toHex(encodeClientFqdn(f)), toHex(p));
});

Deno.test("parseClientFqdn: deprecated ASCII encoding (E=0), N flag, rcodes 255", () => {
  const p = Uint8Array.of(0x08, 255, 255, ...bytes("pc.example.org."));
  const f = parseClientFqdn(p);
  deepStrictEqual(f.flags, { s: false, o: false, e: false, n: true });
  equal(f.rcode1, 255);
  equal(f.rcode2, 255);
  equal(f.name, "pc.example.org.");
  equal(f.partial, false);
  equal(parseClientFqdn(Uint8Array.of(0, 0, 0, ...bytes("pc"))).partial, true);
  equal(toHex(encodeClientFqdn(f)), toHex(p));
});

Deno.test("parseClientFqdn: empty name, server reply flags", () => {
  const f = parseClientFqdn(Uint8Array.of(0x01, 0, 0));
  equal(f.name, "");
  equal(f.partial, true);
  equal(
    toHex(encodeClientFqdn({ flags: { s: true, o: true, e: true, n: false }, name: "a.b." })),
    "070000" + "0161016200",
  );
});

Deno.test("parseClientFqdn: malformed options throw DecodeError with the offset", () => {
  throws(() => parseClientFqdn(Uint8Array.of(0x04, 0)), DecodeError);
  throws(() => parseClientFqdn(Uint8Array.of(0x04, 0, 0, 9, 0x61)), (e: unknown) => {
    assert(e instanceof DecodeError);
    equal(e.offset, 3);
    return true;
  });
  throws(() => parseClientFqdn(Uint8Array.of(0x04, 0, 0, 0x50, 0x61)), /bad label length 80/);
});
