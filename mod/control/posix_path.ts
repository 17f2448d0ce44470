/**
 * POSIX path arithmetic for the control commands and the role wiring (the subset of Node's `node:path` posix
 * functions weka uses, same results): kept here so a server's start-up does not load Deno's Node compatibility layer
 * for five string functions (issue 16 item 5). Pure string work except `resolve`, which reads the working directory.
 */

/** Node's path.normalize for POSIX: `.` and `..` segments folded, repeated slashes merged, a trailing slash kept. */
export function normalize(path: string): string {
  if (path === "") return ".";
  const abs = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length && out.at(-1) !== "..") out.pop();
      else if (!abs) out.push("..");
    } else out.push(part);
  }
  const body = out.join("/") + (out.length && path.endsWith("/") ? "/" : "");
  return abs ? `/${body}` : body || (path.endsWith("/") ? "./" : ".");
}

/** Node's path.isAbsolute (POSIX): starts with `/`. */
export function isAbsolute(path: string): boolean {
  return path.startsWith("/");
}

/** Node's path.join (POSIX): the non-empty parts joined with `/`, normalized. */
export function join(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  return joined === "" ? "." : normalize(joined);
}

/** Node's path.resolve (POSIX): from the right to the first absolute part, then the working directory. */
export function resolve(...parts: string[]): string {
  let path = "";
  for (let i = parts.length - 1; i >= 0 && !path.startsWith("/"); i--) {
    if (parts[i] !== "") path = path ? `${parts[i]}/${path}` : parts[i];
  }
  if (!path.startsWith("/")) path = path ? `${Deno.cwd()}/${path}` : Deno.cwd();
  const out = normalize(path);
  return out.length > 1 ? out.replace(/\/$/, "") : out;
}

/** Node's path.dirname (POSIX): everything before the last separator (`/` for the root, `.` for none). */
export function dirname(path: string): string {
  const p = path.replace(/\/+$/, "") || path.slice(0, 1);
  const i = p.lastIndexOf("/");
  if (i < 0) return ".";
  if (i === 0) return "/";
  return p.slice(0, i);
}

/** Node's path.basename (POSIX, without the suffix argument): the last segment, trailing slashes ignored. */
export function basename(path: string): string {
  const p = path.replace(/\/+$/, "");
  return p.slice(p.lastIndexOf("/") + 1);
}
