/**
 * Loads an annotated hex fixture from tests/fixtures/ddns/: `#` starts a comment, everything else is hex bytes.
 */
export function loadHex(name: string): Uint8Array {
  const text = Deno.readTextFileSync(new URL(`../fixtures/ddns/${name}`, import.meta.url));
  const hex = text.split("\n").map((l) => l.replace(/#.*/, "")).join("").replace(/\s+/g, "");
  return new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

/** Base64 text → bytes. */
export function b64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
