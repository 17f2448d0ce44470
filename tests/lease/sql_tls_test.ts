/**
 * TLS to PostgreSQL with Kea's parameters (`trust-anchor`, `cert-file`, `key-file`, `cipher-list`): a private
 * PostgreSQL that accepts TCP clients over TLS only (pg_hba `hostssl`), its certificate signed by a CA made here
 * with openssl (subjectAltName IP:127.0.0.1). weka connects with the CA as trust anchor and the session is
 * encrypted (pg_stat_ssl); without TLS parameters it is refused; with another CA the certificate is not trusted.
 * Needs root, PostgreSQL 15, kea-admin and openssl.
 */
import assert from "node:assert/strict";
import { openSqlDb } from "../../mod/lease/sql_open.ts";
import { sqlSkipReason, startPostgres } from "./sql_servers.ts";

function hasOpenssl(): boolean {
  try {
    return Deno.statSync("/usr/bin/openssl").isFile;
  } catch {
    return false;
  }
}

const why = sqlSkipReason("postgresql") ?? (hasOpenssl() ? undefined : "openssl is missing (apt-get install openssl)");

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const o = await new Deno.Command("openssl", { args, cwd: dir, stdout: "piped", stderr: "piped" }).output();
  if (!o.success) throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(o.stderr)}`);
}

/** A CA (`name`.crt/.key) in `dir`; with `server`, also server.crt/.key for 127.0.0.1 signed by it. */
async function makeCa(dir: string, name: string, server = false): Promise<void> {
  await openssl(
    dir,
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
  );
  if (!server) return;
  await openssl(
    dir,
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=127.0.0.1",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  );
  await Deno.writeTextFile(`${dir}/san.ext`, "subjectAltName=IP:127.0.0.1\n");
  await openssl(
    dir,
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    `${name}.crt`,
    "-CAkey",
    `${name}.key`,
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "san.ext",
    "-out",
    "server.crt",
  );
}

Deno.test({
  name: "PostgreSQL over TLS: trust-anchor verifies the server, the session is encrypted; no TLS or another CA fails",
  ignore: why !== undefined,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "weka-pgtls-" });
    await makeCa(dir, "ca", true);
    await makeCa(dir, "other");
    const s = await startPostgres({ tls: { certFile: `${dir}/server.crt`, keyFile: `${dir}/server.key` } });
    try {
      const db = await openSqlDb(s.access({ trustAnchor: `${dir}/ca.crt`, cipherList: "HIGH:!aNULL" }));
      const rows = await db.query("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
      assert.equal(rows[0].ssl, true, "the session is TLS");
      assert.match(String(rows[0].version), /^TLSv1\.[23]$/);
      await db.close();
      await assert.rejects(openSqlDb(s.access()), /no pg_hba.conf entry|SSL off|hostssl/i, "plain TCP is refused");
      await assert.rejects(
        openSqlDb(s.access({ trustAnchor: `${dir}/other.crt` })),
        /certificate|self.signed|verify/i,
        "a server certificate the trust anchor did not sign is refused",
      );
    } finally {
      await s.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
