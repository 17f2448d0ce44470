/** HTTPS control sockets with a certificate made by openssl: curl --cacert, weka shell --ca; cert-required refused. */
import assert from "node:assert/strict";
import { AUTH, REPO, run, withListeners } from "./listen_helpers.ts";
import { makeTestCerts } from "./cert_helpers.ts";

/** The CA and the server certificate (IP SAN 127.0.0.1, serverAuth) the HTTPS listeners use. */
function makeCerts(dir: string): Promise<void> {
  return makeTestCerts(
    dir,
    "wkc test CA",
    { srv: "127.0.0.1" },
    "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
  );
}

Deno.test("https with an openssl-made certificate: curl --cacert and weka shell --ca; cert-required is refused", async () => {
  const certDir = await Deno.makeTempDir({ prefix: "wkc-tls-" });
  try {
    await makeCerts(certDir);
    const tls = { "cert-file": `${certDir}/srv.pem`, "key-file": `${certDir}/srv.key` };
    await withListeners((_d, port) => [
      { type: "https", address: "127.0.0.1", port, raw: { ...tls, ...AUTH } },
      { type: "https", address: "127.0.0.1", port: port + 1, raw: { ...tls, "trust-anchor": `${certDir}/ca.pem` } },
    ], async (l, _d, port) => {
      assert.equal(l.errors.length, 1);
      assert.match(l.errors[0], /cert-required.*cannot verify/);
      const c = await run([
        "curl",
        "-s",
        "--cacert",
        `${certDir}/ca.pem`,
        "-u",
        "admin:s3cret",
        "-d",
        '{"command": "version-get"}',
        `https://127.0.0.1:${port}/`,
      ]);
      assert.equal(JSON.parse(c.out)[0].text, "0.1.0", c.err);
      const plain = await run([
        "curl",
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        "-d",
        "{}",
        `http://127.0.0.1:${port}/`,
      ]);
      assert.notEqual(plain.out, "200"); // plain HTTP to a TLS socket gets no answer
      const sh = await run([
        Deno.execPath(),
        "run",
        "-A",
        `${REPO}main.ts`,
        "shell",
        "--port",
        String(port),
        "--ca",
        `${certDir}/ca.pem`,
        "--auth-user",
        "admin",
        "--auth-password",
        "s3cret",
        "version-get",
      ], "");
      assert.equal(sh.code, 0, sh.err);
      assert.equal(JSON.parse(sh.out)[0].text, "0.1.0");
    });
  } finally {
    await Deno.remove(certDir, { recursive: true });
  }
});
