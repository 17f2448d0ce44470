/** The server DUID (mod/dhcp6/server_duid.ts): RFC 8415 §11 layouts, Kea's defaults, the kea-dhcp6-serverid file. */
import assert from "node:assert/strict";
import type { ServerIdSpec } from "../../mod/config/model6.ts";
import { buildServerDuid, duidText, loadServerDuid, parseDuidText } from "../../mod/dhcp6/server_duid.ts";
import { hex } from "./fixtures6.ts";

const SPEC: ServerIdSpec = {
  type: "LLT",
  identifier: new Uint8Array(0),
  htype: 0,
  time: 0,
  enterpriseId: 0,
  persist: true,
};
const MAC = hex("525400123456");
const SRC = { mac: MAC, now: 946684800 + 0x12345678, random: (n: number) => new Uint8Array(n).fill(0xee) };

Deno.test("server_duid: Kea's defaults: DUID-LLT (htype 1, seconds since 2000, MAC), DUID-EN (ISC 2495), DUID-LL", () => {
  assert.equal(duidText(buildServerDuid(SPEC, SRC)), "00:01:00:01:12:34:56:78:52:54:00:12:34:56");
  assert.equal(
    duidText(buildServerDuid({ ...SPEC, type: "EN" }, SRC)),
    "00:02:00:00:09:bf:ee:ee:ee:ee:ee:ee",
  );
  assert.equal(duidText(buildServerDuid({ ...SPEC, type: "LL" }, SRC)), "00:03:00:01:52:54:00:12:34:56");
  assert.equal(
    duidText(buildServerDuid({ ...SPEC, type: "EN", enterpriseId: 1, identifier: hex("abcd") }, SRC)),
    "00:02:00:00:00:01:ab:cd",
  );
  // no MAC at all: random link-layer bytes rather than an empty DUID
  assert.equal(
    duidText(buildServerDuid(SPEC, { ...SRC, mac: undefined })),
    "00:01:00:01:12:34:56:78:ee:ee:ee:ee:ee:ee",
  );
});

Deno.test("server_duid: the persisted DUID fills in what the config leaves unset; explicit values win", () => {
  const prev = parseDuidText("00:01:00:01:0a:0b:0c:0d:02:00:00:00:00:01")!;
  const later = { ...SRC, now: SRC.now + 1000, mac: hex("aaaaaaaaaaaa") };
  assert.equal(duidText(buildServerDuid(SPEC, later, prev)), duidText(prev));
  assert.equal(
    duidText(buildServerDuid({ ...SPEC, time: 7 }, later, prev)),
    "00:01:00:01:00:00:00:07:02:00:00:00:00:01",
  );
  // another type in the file: it is not reused
  assert.equal(duidText(buildServerDuid({ ...SPEC, type: "LL" }, later, prev)), "00:03:00:01:aa:aa:aa:aa:aa:aa");
  assert.equal(parseDuidText("not a duid"), undefined);
  assert.equal(parseDuidText("01"), undefined);
});

Deno.test("server_duid: loadServerDuid writes kea-dhcp6-serverid once and reads it back at the next start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "weka-duid-" });
  try {
    const path = `${dir}/kea-dhcp6-serverid`;
    const warnings: string[] = [];
    const first = await loadServerDuid(SPEC, path, SRC, (t) => warnings.push(t));
    assert.equal(await Deno.readTextFile(path), duidText(first) + "\n");
    const second = await loadServerDuid(
      SPEC,
      path,
      { ...SRC, now: SRC.now + 86400, mac: hex("020000000002") },
      (t) => warnings.push(t),
    );
    assert.deepEqual(second, first);
    await Deno.writeTextFile(path, "garbage\n");
    const third = await loadServerDuid(SPEC, path, SRC, (t) => warnings.push(t));
    assert.deepEqual(third, first, "rebuilt from the same sources");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /does not hold a DUID/);
    const noPersist = `${dir}/other`;
    await loadServerDuid({ ...SPEC, persist: false }, noPersist, SRC, () => {});
    await assert.rejects(Deno.stat(noPersist), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
