import assert, { deepStrictEqual, equal, throws } from "node:assert/strict";
import {
  encodeOptionData,
  encodeRelayAgentInfo,
  findOption4,
  formatOptionData,
  parseRelayAgentInfo,
} from "../../mod/options/mod.ts";
import { DecodeError } from "../../mod/wire/errors.ts";
import { toHex } from "../../mod/wire/addr.ts";

Deno.test("relay agent info: parse and encode sub-options in order", () => {
  // circuit-id "eth1", remote-id aa:bb, link-selection 192.0.2.0, relay-port 67
  const p = Uint8Array.of(1, 4, 0x65, 0x74, 0x68, 0x31, 2, 2, 0xaa, 0xbb, 5, 4, 192, 0, 2, 0, 19, 2, 0, 67);
  const m = parseRelayAgentInfo(p);
  deepStrictEqual([...m.keys()], [1, 2, 5, 19]);
  equal(new TextDecoder().decode(m.get(1)), "eth1");
  const ls = findOption4(5, "dhcp-agent-options-space")!;
  equal(formatOptionData(ls, m.get(5)!), "192.0.2.0");
  equal(formatOptionData(findOption4("relay-port", "dhcp-agent-options-space")!, m.get(19)!), "67");
  equal(toHex(encodeRelayAgentInfo(m)), toHex(p));
  equal(
    toHex(encodeOptionData(findOption4("server-id-override", "dhcp-agent-options-space")!, "192.0.2.1", true)),
    "c0000201",
  );
});

Deno.test("relay agent info: truncated sub-options throw DecodeError with the offset", () => {
  throws(() => parseRelayAgentInfo(Uint8Array.of(1, 2, 0xaa, 0xbb, 2, 5, 1)), (e: unknown) => {
    assert(e instanceof DecodeError);
    equal(e.offset, 4);
    assert(/sub-option 2/.test(e.message));
    return true;
  });
  throws(() => parseRelayAgentInfo(Uint8Array.of(1)), /no length byte/);
  throws(() => encodeRelayAgentInfo(new Map([[1, new Uint8Array(256)]])), RangeError);
});
