/**
 * The status page of the HTTP control listeners (weka's answer to Kea users' Stork and dnsmasq users' leases
 * file): `GET /` serves a small HTML page and `GET /ui/<file>` its stylesheet and scripts, shipped inside weka in
 * mod/control/page/ (plain HTML, CSS and JavaScript: no CDN, no build step; `deno task compile` embeds the folder
 * with `--include`). The page reads everything through Kea's command API on `POST /` of the same listener, behind
 * the same authentication. Assets are a fixed table read once: no request path ever reaches the file system.
 * Every answer carries a strict Content-Security-Policy (scripts and styles from this listener only, no inline
 * code, no framing). `crossSiteRefusal` keeps a browser that holds the page's credentials from being used by
 * another site to post commands (cross-site request forgery): a `POST` whose `Origin` is another site is refused.
 */
import type { HttpResponse } from "./http_conn.ts";
import type { HttpRequest } from "./http_request.ts";

/** The files of the page: URL path → content type and file name in mod/control/page/. */
const ASSETS: Record<string, [string, string]> = {
  "/": ["text/html; charset=utf-8", "index.html"],
  "/index.html": ["text/html; charset=utf-8", "index.html"],
  "/ui/style.css": ["text/css; charset=utf-8", "style.css"],
  "/ui/app.js": ["text/javascript; charset=utf-8", "app.js"],
  "/ui/summary.js": ["text/javascript; charset=utf-8", "summary.js"],
};

/** The security headers of every page answer. */
export const PAGE_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

let cache: Map<string, Uint8Array> | undefined;

/** The page's files, read once from mod/control/page/ (next to this module, also inside a compiled weka). */
function assets(): Map<string, Uint8Array> {
  if (cache) return cache;
  const dir = new URL("./page/", import.meta.url);
  const files = new Map<string, Uint8Array>();
  for (const [, name] of Object.values(ASSETS)) files.set(name, Deno.readFileSync(new URL(name, dir)));
  return cache = files;
}

/** Whether `path` is one of the page's files (answered to GET). */
export function isPagePath(path: string): boolean {
  return Object.hasOwn(ASSETS, path);
}

/** The answer to `GET path` (a path of the page: see isPagePath). */
export function pageResponse(path: string): HttpResponse {
  const [type, name] = ASSETS[path];
  return { status: 200, headers: { "content-type": type, ...PAGE_HEADERS }, body: assets().get(name)! };
}

/**
 * Why a command must be refused (answered 403) because a browser posts it from another site, or undefined when it
 * may proceed: the request's `Origin` (browsers send it with every cross-origin POST) names another host than the
 * one the request was sent to (`Host`), or `Sec-Fetch-Site` says `cross-site`. Command-line clients (kea-shell,
 * curl, weka shell, HA partners) send neither and are unaffected.
 */
export function crossSiteRefusal(req: Pick<HttpRequest, "headers">): string | undefined {
  const origin = req.headers.get("origin");
  const host = req.headers.get("host") ?? "";
  let foreign = req.headers.get("sec-fetch-site") === "cross-site";
  if (origin !== undefined && !foreign) {
    try {
      foreign = origin === "null" || new URL(origin).host !== host.toLowerCase();
    } catch {
      foreign = true;
    }
  }
  return foreign
    ? `a command posted by another site's page is refused (Origin ${origin ?? "-"}, Host ${host || "-"})`
    : undefined;
}
