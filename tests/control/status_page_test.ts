/**
 * The status page on the HTTP control listener (mod/control/status_page.ts): GET / and its assets behind the same
 * basic authentication as the command API, strict security headers, nothing else of the file system reachable, a
 * command posted by another site's page refused (403) while curl-like clients and the page's own origin pass; and
 * the server-side paging and search the page uses stay fast with 100 000 leases.
 */
import assert from "node:assert/strict";
import { AUTH, http, withListeners } from "./listen_helpers.ts";
import { freePort, testContext } from "./helpers.ts";
import { buildRegistry } from "../../mod/control/channel.ts";
import { ControlListeners } from "../../mod/control/listeners.ts";
import { crossSiteRefusal } from "../../mod/control/status_page.ts";
import { LeaseState } from "../../mod/lease/types.ts";

const basic = "Basic " + btoa("admin:s3cret");

Deno.test("status page: GET / and /ui/* served behind the listener's authentication, with a strict CSP", async () => {
  await withListeners((_d, port) => [http(port, AUTH)], async (_l, _d, port) => {
    const base = `http://127.0.0.1:${port}`;
    const anon = await fetch(`${base}/`);
    await anon.body?.cancel();
    assert.equal(anon.status, 401, "the page needs the same credentials as the commands");
    assert.match(anon.headers.get("www-authenticate") ?? "", /Basic realm="weka-test"/);

    const page = await fetch(`${base}/`, { headers: { authorization: basic } });
    const html = await page.text();
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type")!, /^text\/html/);
    assert.match(html, /<script type="module" src="ui\/app.js">/);
    const csp = page.headers.get("content-security-policy")!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(page.headers.get("x-content-type-options"), "nosniff");
    for (
      const [path, type] of [["/ui/app.js", "text/javascript"], ["/ui/summary.js", "text/javascript"], [
        "/ui/style.css",
        "text/css",
      ]]
    ) {
      const r = await fetch(base + path, { headers: { authorization: basic } });
      const body = await r.text();
      assert.equal(r.status, 200, path);
      assert.ok(r.headers.get("content-type")!.startsWith(type), `${path}: ${r.headers.get("content-type")}`);
      assert.ok(body.length > 500, `${path} has its content`);
    }
    // no other file: a path outside the table is not a page file (405: only POST commands there)
    for (const path of ["/ui/../../../etc/passwd", "/ui/status_page.ts", "/page/app.js", "/ui/"]) {
      const r = await fetch(base + path, { headers: { authorization: basic } });
      const body = await r.text();
      assert.equal(r.status, 405, `${path} -> ${r.status} ${body}`);
      assert.doesNotMatch(body, /root:|import /);
    }
    // the command API is unchanged beside it
    const c = await fetch(`${base}/`, {
      method: "POST",
      headers: { authorization: basic },
      body: JSON.stringify({ command: "list-commands" }),
    });
    assert.equal(c.status, 200);
    assert.ok(((await c.json())[0].arguments as string[]).includes("lease4-get-page"));
  });
});

Deno.test("status page: a command posted from another site's page is refused with 403; the page's own origin passes", async () => {
  await withListeners((_d, port) => [http(port, AUTH)], async (_l, _d, port) => {
    const base = `http://127.0.0.1:${port}/`;
    const post = (headers: Record<string, string>) =>
      fetch(base, {
        method: "POST",
        headers: { authorization: basic, ...headers },
        body: JSON.stringify({ command: "dhcp-disable" }),
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const evil = await post({ origin: "http://evil.example" });
    assert.equal(evil.status, 403);
    assert.match(evil.body, /another site's page is refused/);
    assert.equal((await post({ "sec-fetch-site": "cross-site" })).status, 403);
    assert.equal((await post({ origin: "null" })).status, 403);
    const own = await post({ origin: `http://127.0.0.1:${port}` });
    assert.equal(own.status, 200, own.body);
    assert.match(own.body, /service disabled/);
  });
  // pure checks of the rule
  const h = (m: Record<string, string>) => ({ headers: new Map(Object.entries(m)) });
  assert.equal(crossSiteRefusal(h({})), undefined, "kea-shell and curl send no Origin");
  assert.equal(crossSiteRefusal(h({ origin: "http://10.0.0.1:8000", host: "10.0.0.1:8000" })), undefined);
  assert.ok(crossSiteRefusal(h({ origin: "http://10.0.0.1:8001", host: "10.0.0.1:8000" })));
  assert.ok(crossSiteRefusal(h({ origin: "not a url", host: "x" })));
});

Deno.test("status page: 100 000 leases — a page from the middle and a hostname search answer within 150 ms", async () => {
  const ctx = await testContext();
  const reg = buildRegistry(ctx);
  const port = freePort();
  const base = 0xc6120000; // 198.18.0.0
  const now = Math.floor(Date.now() / 1000);
  for (let i = 0; i < 100_000; i += 5000) {
    await ctx.store.apply(Array.from({ length: 5000 }, (_, j) => {
      const n = i + j;
      return {
        op: "put" as const,
        lease: {
          address: base + 256 + n,
          hwaddr: `02:00:${
            [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, "0")).join(":")
          }`,
          clientId: "",
          validLifetime: 3600,
          cltt: now,
          subnetId: 1,
          fqdnFwd: false,
          fqdnRev: false,
          hostname: `host-${n}`,
          state: LeaseState.DEFAULT,
        },
      };
    }));
  }
  const l = await ControlListeners.start([http(port)], { dispatch: (t) => reg.dispatch(t), log: () => {} });
  try {
    const ask = async (command: string, args: unknown) => {
      const t0 = performance.now();
      const r = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        body: JSON.stringify({ command, arguments: args }),
      });
      const a = (await r.json())[0];
      return { a, ms: performance.now() - t0 };
    };
    await ask("lease4-get-page", { from: "start", limit: 50 }); // warm-up (the sorted index is built once)
    const page = await ask("lease4-get-page", { from: "198.18.195.80", limit: 50 });
    assert.equal(page.a.result, 0);
    assert.equal(page.a.arguments.leases.length, 50);
    assert.equal(page.a.arguments.leases[0]["ip-address"], "198.18.195.81");
    const found = await ask("lease4-get-by-hostname", { hostname: "host-77777" });
    assert.equal(found.a.arguments.leases[0]["ip-address"], "198.19.48.209");
    console.log(
      `  100 000 leases: page from the middle ${page.ms.toFixed(1)} ms, hostname search ${found.ms.toFixed(1)} ms`,
    );
    assert.ok(page.ms < 150, `a page took ${page.ms} ms`);
    assert.ok(found.ms < 150, `a search took ${found.ms} ms`);
  } finally {
    await l.close();
    await ctx.store.close();
  }
});
