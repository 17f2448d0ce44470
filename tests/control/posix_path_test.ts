/** mod/control/posix_path.ts gives Node's `node:path` (POSIX) results for the paths weka handles, and odd ones. */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import * as node from "node:path";
import { basename, dirname, isAbsolute, join, normalize, resolve } from "../../mod/control/posix_path.ts";

const PATHS = [
  "",
  ".",
  "..",
  "/",
  "//",
  "a",
  "a/",
  "/a",
  "/a/",
  "/a//b/",
  "./a/./b",
  "a/../..",
  "/../a",
  "/var/lib/kea/kea-leases4.csv",
  "../etc/weka.json",
  "leases.kv",
  "a/b/../../../c",
];

Deno.test("posix_path: normalize, dirname, basename, isAbsolute as node:path", () => {
  for (const p of PATHS) {
    assertEquals(normalize(p), node.normalize(p), `normalize(${JSON.stringify(p)})`);
    assertEquals(dirname(p), node.dirname(p), `dirname(${JSON.stringify(p)})`);
    assertEquals(basename(p), node.basename(p), `basename(${JSON.stringify(p)})`);
    assertEquals(isAbsolute(p), node.isAbsolute(p), `isAbsolute(${JSON.stringify(p)})`);
  }
});

Deno.test("posix_path: join and resolve as node:path", () => {
  for (const a of PATHS) {
    for (const b of ["", "x", "/abs", "../up", "x/y/"]) {
      assertEquals(join(a, b), node.join(a, b), `join(${JSON.stringify(a)}, ${b})`);
      assertEquals(resolve(a, b), node.resolve(a, b), `resolve(${JSON.stringify(a)}, ${b})`);
    }
    assertEquals(resolve(a), node.resolve(a), `resolve(${JSON.stringify(a)})`);
  }
});
