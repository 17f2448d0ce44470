/** Small argument checks shared by the lease6-* commands (Kea names the bad parameter in a result-1 answer). Pure. */
import { badArgs } from "./answer.ts";

/** An integer argument `min`..4294967295 (iaid, subnet-id, limit), or a result-1 error naming it. */
export function uint32Arg(cmd: string, name: string, v: unknown, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > 0xffffffff) {
    badArgs(`${cmd}: '${name}' must be an integer ${min}..4294967295 (got ${JSON.stringify(v)})`);
  }
  return v;
}
