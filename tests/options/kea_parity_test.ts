import assert, { equal } from "node:assert/strict";
import { decode4 } from "../../mod/packet4/codec.ts";
import { encodeOptionData, findOption4, formatOptionData } from "../../mod/options/mod.ts";
import { toHex } from "../../mod/wire/addr.ts";

// kea_options.json is the configuration Kea 2.2 ran with; kea_options_offer.hex is the OFFER it sent (every
// option-data entry has always-send). Each payload encodeOptionData builds must equal what Kea put on the wire.
const DIR = new URL("../fixtures/dhcp4/", import.meta.url);
const text = Deno.readTextFileSync(new URL("kea_options_offer.hex", DIR));
const hex = text.split("\n").map((l) => l.replace(/#.*/, "")).join("").replace(/\s+/g, "");
const offer = decode4(new Uint8Array(hex.match(/../g)!.map((h) => parseInt(h, 16))));
const config = JSON.parse(Deno.readTextFileSync(new URL("kea_options.json", DIR)));
const optionData: { name: string; data: string }[] = config.Dhcp4.subnet4[0]["option-data"];

Deno.test("kea parity: the configuration has the 24 options captured", () => {
  equal(optionData.length, 24);
});

for (const { name, data } of optionData) {
  Deno.test(`kea parity: ${name} '${data}' encodes as Kea 2.2 sent it`, () => {
    const def = findOption4(name);
    assert(def, `no definition for ${name}`);
    const sent = offer.options.get(def.code);
    assert(sent, `Kea did not send option ${def.code}`);
    equal(toHex(encodeOptionData(def, data, true)), toHex(sent));
    // and what Kea sent reads back as text that encodes to the same bytes
    equal(toHex(encodeOptionData(def, formatOptionData(def, sent), true)), toHex(sent));
  });
}
