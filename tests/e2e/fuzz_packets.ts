/**
 * Deterministic bad input for the robustness test: random datagrams and mutations of a valid DHCPDISCOVER
 * (bit flips, truncations, option lengths that run past the end, overload loops, huge option counts).
 */

/** A small xorshift PRNG so that a failing run can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

/** A valid DHCPDISCOVER from chaddr 02:00:00:00:00:01 (BOOTP header, cookie, options 53, 61, 55, end). */
export function validDiscover(): Uint8Array {
  const p = new Uint8Array(300);
  p[0] = 1; // op BOOTREQUEST
  p[1] = 1; // htype ethernet
  p[2] = 6; // hlen
  p.set([0x12, 0x34, 0x56, 0x78], 4); // xid
  p[10] = 0x80; // flags: broadcast
  p.set([2, 0, 0, 0, 0, 1], 28); // chaddr
  p.set([99, 130, 83, 99], 236); // magic cookie
  p.set([53, 1, 1, 61, 7, 1, 2, 0, 0, 0, 0, 1, 55, 4, 1, 3, 6, 15, 255], 240);
  return p;
}

/** `count` bad datagrams: a third pure noise, the rest mutations of a valid DISCOVER. */
export function badPackets(count: number, seed = 42): Uint8Array[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const base = validDiscover();
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 6;
    let p: Uint8Array;
    if (kind === 0) {
      p = new Uint8Array(int(600));
      for (let j = 0; j < p.length; j++) p[j] = int(256);
    } else if (kind === 1) {
      p = base.slice(0, int(base.length)); // truncated anywhere, often inside the header
    } else if (kind === 2) {
      p = base.slice();
      for (let k = 0; k < 1 + int(8); k++) p[int(p.length)] ^= 1 << int(8); // bit flips
    } else if (kind === 3) {
      p = base.slice();
      p[241 + 3 * int(3)] = 200 + int(56); // an option length running past the end
    } else if (kind === 4) {
      p = base.slice();
      p.set([52, 1, 3, 255], 240 + 3); // overload into file and sname, which hold garbage
      for (let j = 44; j < 236; j++) p[j] = int(256);
    } else {
      p = base.slice(0, 240 + int(60));
      for (let j = 240; j < p.length; j++) p[j] = int(256); // random options, no END
    }
    out.push(p);
  }
  return out;
}
