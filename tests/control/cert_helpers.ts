/**
 * Test certificates made by openssl (HTTPS control sockets, Kea's trust-anchor / cert-file / key-file, and HA peers
 * over TLS): a throw-away EC P-256 CA in a directory and certificates it signs. Tests only.
 */

/** Runs `openssl args…`; throws with openssl's stderr when it fails. */
async function openssl(...args: string[]): Promise<void> {
  const r = await new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" }).output();
  if (!r.success) throw new Error(`openssl ${args[0]}: ${new TextDecoder().decode(r.stderr)}`);
}

/**
 * Writes `dir/ca.pem` + `ca.key` (a CA with subject `/CN=caName`, valid one day) and, for every `name → cn` of
 * `certs`, `dir/name.pem` + `name.key` signed by it with subject `/CN=cn` and the X.509 extensions `ext` (one
 * `key=value` a line, e.g. `subjectAltName=IP:127.0.0.1`).
 */
export async function makeTestCerts(
  dir: string,
  caName: string,
  certs: Record<string, string>,
  ext: string,
): Promise<void> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await Deno.writeTextFile(`${dir}/ext.cnf`, ext);
  await openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    `${dir}/ca.key`,
    "-out",
    `${dir}/ca.pem`,
    "-days",
    "1",
    "-subj",
    `/CN=${caName}`,
  );
  for (const [name, cn] of Object.entries(certs)) {
    await openssl("req", ...ec, "-keyout", `${dir}/${name}.key`, "-out", `${dir}/${name}.csr`, "-subj", `/CN=${cn}`);
    await openssl(
      "x509",
      "-req",
      "-in",
      `${dir}/${name}.csr`,
      "-CA",
      `${dir}/ca.pem`,
      "-CAkey",
      `${dir}/ca.key`,
      "-CAcreateserial",
      "-out",
      `${dir}/${name}.pem`,
      "-days",
      "1",
      "-extfile",
      `${dir}/ext.cnf`,
    );
  }
}
