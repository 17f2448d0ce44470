/**
 * HTTP basic authentication of the control channel, as Kea configures it (ctrl-channel.rst):
 * `authentication: {type: "basic", realm: "kea-dhcpv4-server", directory, clients: [{user, password} |
 * {user-file, password-file} | {password-file}]}`. A client's user must not contain ':'; a `password-file` without
 * a user holds the whole "user:password" secret; relative file names are read from `directory`. Credentials are
 * compared in constant time. Files are read through an injected reader, so this module stays pure.
 */
import { createHash, timingSafeEqual } from "node:crypto";

/** Checks `Authorization` headers against the configured clients. */
export interface BasicAuth {
  realm: string;
  /** the user name when the header carries valid credentials, else undefined */
  check(authorization: string | null): string | undefined;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Builds the checker from an `authentication` map; returns undefined when the map is absent. Throws an Error
 * naming the problem (an unknown `type`, a user with ':', an unreadable file, no clients).
 */
export function basicAuthFrom(
  auth: Record<string, unknown> | undefined,
  readFile: (path: string, what: string) => string,
): BasicAuth | undefined {
  if (!auth) return undefined;
  if (auth.type !== "basic") {
    throw new Error(`authentication type ${JSON.stringify(auth.type)} is not supported: use "basic"`);
  }
  const realm = typeof auth.realm === "string" ? auth.realm : "kea-dhcpv4-server";
  const dir = typeof auth.directory === "string" ? auth.directory : "";
  const read = (name: unknown, what: string): string => {
    if (typeof name !== "string" || name === "") {
      throw new Error(`authentication client: '${what}' must be a file name`);
    }
    const path = name.startsWith("/") || !dir ? name : `${dir.replace(/\/$/, "")}/${name}`;
    try {
      return readFile(path, what).replace(/\r?\n$/, "");
    } catch (e) {
      throw new Error(`authentication client: ${(e as Error).message}`);
    }
  };
  const secrets: Buffer[] = [];
  const users: string[] = [];
  const clients = Array.isArray(auth.clients) ? auth.clients as Record<string, unknown>[] : [];
  clients.forEach((c, i) => {
    let user: string, password: string;
    if (c["password-file"] !== undefined && c.user === undefined && c["user-file"] === undefined) {
      const secret = read(c["password-file"], "password-file");
      const colon = secret.indexOf(":");
      if (colon < 0) throw new Error(`authentication client ${i}: the password-file must hold "user:password"`);
      user = secret.slice(0, colon);
      password = secret.slice(colon + 1);
    } else {
      user = c["user-file"] !== undefined ? read(c["user-file"], "user-file") : String(c.user ?? "");
      password = c["password-file"] !== undefined
        ? read(c["password-file"], "password-file")
        : String(c.password ?? "");
    }
    if (user === "") throw new Error(`authentication client ${i}: the user must not be empty`);
    if (password === "") throw new Error(`authentication client ${i} ('${user}'): the password must not be empty`);
    if (user.includes(":")) throw new Error(`authentication client ${i}: the user '${user}' must not contain ':'`);
    users.push(user);
    secrets.push(digest(`${user}:${password}`));
  });
  if (!secrets.length) throw new Error("authentication: 'clients' must list at least one user");
  return { realm, check: matcher(users.map((user, i) => ({ user, secret: secrets[i] }))) };
}

/** The header check: the sha-256 of "user:password" compared in constant time with every client (equal lengths). */
function matcher(pairs: { user: string; secret: Buffer }[]) {
  return (header: string | null): string | undefined => {
    const m = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
    if (!m) return undefined;
    let pair: string;
    try {
      pair = new TextDecoder().decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
    } catch {
      return undefined;
    }
    const d = digest(pair);
    let found: string | undefined;
    for (const p of pairs) if (timingSafeEqual(p.secret, d) && found === undefined) found = p.user;
    return found;
  };
}

/**
 * A checker for one fixed user and password (the HA listener: the credentials the partner is configured to send).
 */
export function fixedBasicAuth(user: string, password: string, realm: string): BasicAuth {
  return { realm, check: matcher([{ user, secret: digest(`${user}:${password}`) }]) };
}
