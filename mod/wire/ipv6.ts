/**
 * IPv6 address text ⇄ 16 bytes (RFC 4291 §2.2 input forms, RFC 5952 §4 output form), shared by the option data
 * types (ipv6-address, ipv6-prefix) and DDNS (AAAA rdata, ip6.arpa names). No zone ("%eth0") is accepted here;
 * callers that allow one strip it first.
 */

/**
 * Parses IPv6 text (full, "::"-compressed, or with a trailing dotted IPv4 part, RFC 4291 §2.2) into 16 bytes, or
 * returns undefined when it is not an IPv6 address. A zone ("%eth0") is not accepted in option data.
 */
export function parseIpv6(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (!/^[0-9a-fA-F:.]+$/.test(t) || t.split("::").length > 2) return undefined;
  const words: number[] = [];
  const toWords = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    const groups = part.split(":");
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i];
      if (i === groups.length - 1 && g.includes(".")) {
        const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(g);
        if (!m || m.slice(1).some((o) => Number(o) > 255)) return undefined;
        out.push(Number(m[1]) * 256 + Number(m[2]), Number(m[3]) * 256 + Number(m[4]));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const halves = t.split("::");
  const head = toWords(halves[0]);
  const tail = halves.length === 2 ? toWords(halves[1]) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 2) {
    if (head.length + tail.length > 7) return undefined;
    words.push(...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail);
  } else {
    if (head.length !== 8) return undefined;
    words.push(...head);
  }
  const b = new Uint8Array(16);
  words.forEach((w, i) => {
    b[i * 2] = w >> 8;
    b[i * 2 + 1] = w & 0xff;
  });
  return b;
}

/** Formats 16 bytes as RFC 5952 text: lower case, leading zeros dropped, the longest run (≥ 2) of zero words as "::". */
export function formatIpv6(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i] << 8) | b[i + 1]);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(w);
  return `${hex(w.slice(0, best))}::${hex(w.slice(best + bestLen))}`;
}
