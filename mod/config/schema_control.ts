/**
 * The schema of a control socket (Kea's `control-socket` / `control-sockets` entries, ctrl-channel.rst), shared by
 * `Dhcp4`, `Dhcp6` and `DhcpDdns`: strict like every other map, so a misspelt key is refused with its path instead
 * of silently changing what the socket does. Its `authentication` map is Kea's basic authentication
 * (`type: "basic"`, `realm`, `directory`, `clients`), and every client must end up with a user and a non-empty
 * password: `user` (or `user-file`) with `password` (or `password-file`), or a `password-file` alone holding
 * "user:password". A client such as `{"user": "admin", "pasword": "…"}` would otherwise be admitted with an empty
 * password. A user must not contain ':' (RFC 7617 §2).
 */
import * as v from "valibot";
import { annotations, bool, nonEmptyStr, str, strictMap, uint32 } from "./schema_common.ts";

/** The keys of one authentication client, as Kea spells them. */
export interface AuthClientIn {
  user?: string;
  password?: string;
  "user-file"?: string;
  "password-file"?: string;
}

/**
 * Why a client cannot authenticate anybody, or undefined when it can (a password file's content is checked when
 * the socket opens: files are read at the edge).
 */
export function authClientProblem(c: AuthClientIn): string | undefined {
  const hasUser = c.user !== undefined || c["user-file"] !== undefined;
  const hasPassword = c.password !== undefined || c["password-file"] !== undefined;
  if (!hasUser && !hasPassword) return "a client needs 'user' and 'password' (or 'user-file' / 'password-file')";
  if (!hasPassword) return "a client needs a 'password' or a 'password-file': an empty password is not allowed";
  if (c.password !== undefined && c["password-file"] !== undefined) {
    return "give either 'password' or 'password-file', not both";
  }
  if (c.user !== undefined && c["user-file"] !== undefined) return "give either 'user' or 'user-file', not both";
  if (c.password === "") return "the password must not be empty";
  if (!hasUser && c.password !== undefined) return "a client with a 'password' needs a 'user'";
  if (c.user === "") return "the user must not be empty";
  if (c.user?.includes(":")) return `the user '${c.user}' must not contain ':'`;
  return undefined;
}

const authClient = v.pipe(
  strictMap({
    user: v.optional(str),
    password: v.optional(str),
    "user-file": v.optional(nonEmptyStr),
    "password-file": v.optional(nonEmptyStr),
    ...annotations,
  }, "must be a map"),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const why = authClientProblem(dataset.value);
    if (why) addIssue({ message: why });
  }),
);

/** Kea's `authentication` map of an HTTP control socket (only `basic` exists). */
export const authentication = strictMap({
  type: v.picklist(["basic"], 'must be "basic" (the only authentication type)'),
  realm: v.optional(str),
  directory: v.optional(str),
  clients: v.pipe(
    v.array(authClient, "must be a list"),
    v.minLength(1, "must list at least one client (an empty list would refuse every request)"),
  ),
  ...annotations,
}, "must be a map");

const httpHeader = strictMap({ name: nonEmptyStr, value: str, ...annotations }, "must be a map");

/** One control socket: unix (`socket-name`), or http/https (`socket-address`, `socket-port`, TLS, authentication). */
export const controlSocket = strictMap({
  "socket-type": v.picklist(["unix", "http", "https"], 'must be "unix", "http" or "https"'),
  "socket-name": v.optional(str),
  "socket-address": v.optional(str),
  "socket-port": v.optional(v.pipe(uint32, v.maxValue(65535, "must be a port 0..65535"))),
  authentication: v.optional(authentication),
  "trust-anchor": v.optional(str),
  "cert-file": v.optional(str),
  "key-file": v.optional(str),
  "cert-required": v.optional(bool),
  "http-headers": v.optional(v.array(httpHeader, "must be a list")),
  ...annotations,
}, "must be a map");

/** A validated control socket entry. */
export type ControlSocketIn = v.InferOutput<typeof controlSocket>;
