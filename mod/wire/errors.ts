/**
 * A decoding failure at a known byte offset. Codecs throw it for input they cannot read; callers (the server edge)
 * count it as `pkt4-parse-failed` and drop the packet, as Kea does for a packet its parser rejects.
 */
export class DecodeError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} (at byte ${offset})`);
    this.name = "DecodeError";
  }
}
