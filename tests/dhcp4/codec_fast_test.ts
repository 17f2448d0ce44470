/**
 * The allocation-free paths of the DHCPv4 codec: decode4 returns views into the datagram (RFC 3396 instances of
 * one code still concatenate, only the first option 52 counts), and encode4 can write into a caller's scratch
 * buffer with the same bytes it would allocate. Fixtures are built field by field below.
 */
import assert, { deepStrictEqual, equal } from "node:assert/strict";
import { decode4, encode4 } from "../../mod/packet4/codec.ts";
import { Opt, type Packet4 } from "../../mod/packet4/packet.ts";

/** A relayed DISCOVER with two instances of option 12 and two option 52s (the second must be ignored). */
function discoverBytes(): Uint8Array {
  const b = new Uint8Array(300);
  b.set([1, 1, 6, 1], 0); // op BOOTREQUEST, htype Ethernet, hlen 6, hops 1
  b.set([0x12, 0x34, 0x56, 0x78], 4); // xid
  b.set([198, 18, 0, 100], 24); // giaddr 198.18.0.100
  b.set([2, 0, 0, 0xaa, 0xbb, 1], 28); // chaddr 02:00:00:aa:bb:01
  b.set([99, 130, 83, 99], 236); // magic cookie
  b.set([
    53,
    1,
    1, // DHCPDISCOVER
    12,
    2,
    0x61,
    0x62, // host name "ab" (first instance)
    55,
    3,
    1,
    3,
    6, // PRL: subnet mask, routers, DNS
    12,
    1,
    0x63, // host name "c" (second instance, RFC 3396: appended)
    52,
    1,
    0, // overload 0 (first instance: counts, and means "none")
    52,
    1,
    3, // a second option 52: ignored (only the first counts)
    255, // END
  ], 240);
  return b;
}

Deno.test("decode4: option payloads and chaddr are views into the datagram, not copies", () => {
  const bytes = discoverBytes();
  const p = decode4(bytes);
  const prl = p.options.get(Opt.PARAM_REQUEST_LIST)!;
  deepStrictEqual([...prl], [1, 3, 6]);
  equal(prl.buffer, bytes.buffer, "the PRL shares the datagram's buffer");
  equal(p.chaddr.buffer, bytes.buffer, "chaddr shares the datagram's buffer");
  equal(p.chaddr.byteOffset, 28);
  bytes[250] = 15; // the PRL's second code (3 → 15) changes in the view too
  deepStrictEqual([...prl], [1, 15, 6]);
});

Deno.test("decode4: instances of one code concatenate (RFC 3396) and only the first option 52 counts", () => {
  const p = decode4(discoverBytes());
  equal(new TextDecoder().decode(p.options.get(Opt.HOST_NAME)), "abc");
  equal(p.options.has(Opt.OVERLOAD), false, "option 52 is never kept");
  equal(p.file, "", "overload 0 from the first option 52: file is not an option area");
  deepStrictEqual([...p.options.keys()], [53, 12, 55]);
});

function offer(): Packet4 {
  const chaddr = new Uint8Array(16);
  chaddr.set([2, 0, 0, 0xaa, 0xbb, 1]);
  return {
    op: 2,
    htype: 1,
    hlen: 6,
    hops: 1,
    xid: 0x12345678,
    secs: 0,
    flags: 0x8000,
    ciaddr: 0,
    yiaddr: 0xc6120105,
    siaddr: 0,
    giaddr: 0xc6120064,
    chaddr,
    sname: "",
    file: "boot.bin",
    options: new Map<number, Uint8Array>([
      [Opt.LEASE_TIME, Uint8Array.of(0, 0, 0x0e, 0x10)],
      [Opt.MESSAGE_TYPE, Uint8Array.of(2)],
      [Opt.RELAY_AGENT_INFO, Uint8Array.of(1, 2, 0xab, 0xcd)],
      [Opt.SERVER_ID, Uint8Array.of(198, 18, 0, 1)],
      [Opt.DOMAIN_NAME, new Uint8Array(300).fill(0x61)], // 300 bytes: two instances (255 + 45)
    ]),
  };
}

Deno.test("encode4 into a scratch buffer: same bytes as the allocating path, a view of the scratch", () => {
  const fresh = encode4(offer());
  const scratch = new Uint8Array(2048).fill(0xee); // dirty on purpose: padding must still come out zero
  const viaScratch = encode4(offer(), { into: scratch });
  equal(viaScratch.buffer, scratch.buffer, "no buffer of its own");
  equal(viaScratch.byteOffset, 0);
  deepStrictEqual([...viaScratch], [...fresh]);
  // wire order: 53, 54, then the map's order, 82 last; option 15 split in 255 + 45 bytes (RFC 3396)
  deepStrictEqual([...fresh.subarray(240, 249)], [53, 1, 2, 54, 4, 198, 18, 0, 1]);
  deepStrictEqual([...fresh.subarray(249, 255)], [51, 4, 0, 0, 0x0e, 0x10]);
  deepStrictEqual([...fresh.subarray(255, 257)], [15, 255]);
  deepStrictEqual([...fresh.subarray(512, 514)], [15, 45]);
  deepStrictEqual([...fresh.subarray(559, 566)], [82, 4, 1, 2, 0xab, 0xcd, 255]);
  equal(fresh.length, 566);
  deepStrictEqual(decode4(viaScratch).options, offer().options);
});

Deno.test("encode4 with a scratch buffer too small allocates instead", () => {
  const small = new Uint8Array(100);
  const out = encode4(offer(), { into: small });
  assert.notEqual(out.buffer, small.buffer);
  deepStrictEqual([...out], [...encode4(offer())]);
});
