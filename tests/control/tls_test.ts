/**
 * HTTPS control sockets with certificates made by openssl: curl --cacert and weka shell --ca against a server
 * certificate; and Kea's `cert-required` (mutual TLS): a client without a certificate, or with one from another
 * CA, never gets an answer; one signed by the trust anchor does (curl --cert and weka shell --cert/--key).
 */
import assert from "node:assert/strict";
import { AUTH, REPO, run, withListeners } from "./listen_helpers.ts";
import { makeTestCerts } from "./cert_helpers.ts";

/**
 * The CA, the server certificate (IP SAN 127.0.0.1) and a client certificate the HTTPS listeners use, and in
 * `other/` a second CA with a client certificate the listeners must refuse.
 */
async function makeCerts(dir: string): Promise<void> {
  const ext = "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n";
  await makeTestCerts(dir, "wkc test CA", { srv: "127.0.0.1", cli: "weka-client" }, ext);
  await Deno.mkdir(`${dir}/other`);
  await makeTestCerts(`${dir}/other`, "someone else's CA", { cli: "intruder" }, ext);
}

Deno.test("https with an openssl-made certificate: curl --cacert and weka shell --ca; cert-required demands a client certificate", async () => {
  const certDir = await Deno.makeTempDir({ prefix: "wkc-tls-" });
  try {
    await makeCerts(certDir);
    const tls = { "cert-file": `${certDir}/srv.pem`, "key-file": `${certDir}/srv.key` };
    await withListeners((_d, port) => [
      { type: "https", address: "127.0.0.1", port, raw: { ...tls, ...AUTH } },
      { type: "https", address: "127.0.0.1", port: port + 1, raw: { ...tls, "trust-anchor": `${certDir}/ca.pem` } },
    ], async (l, _d, port) => {
      assert.deepEqual(l.errors, []);
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
      // mutual TLS (trust-anchor, cert-required by default): no certificate, or a stranger's, gets no answer
      const curl = (...extra: string[]) =>
        run([
          "curl",
          "-s",
          "--cacert",
          `${certDir}/ca.pem`,
          ...extra,
          "-d",
          '{"command": "version-get"}',
          `https://127.0.0.1:${port + 1}/`,
        ]);
      const anon = await curl();
      assert.notEqual(anon.code, 0);
      assert.equal(anon.out, "");
      const stranger = await curl("--cert", `${certDir}/other/cli.pem`, "--key", `${certDir}/other/cli.key`);
      assert.notEqual(stranger.code, 0);
      assert.equal(stranger.out, "");
      const friend = await curl("--cert", `${certDir}/cli.pem`, "--key", `${certDir}/cli.key`);
      assert.equal(JSON.parse(friend.out)[0].text, "0.1.0", friend.err);
      const sh2 = await run([
        Deno.execPath(),
        "run",
        "-A",
        `${REPO}main.ts`,
        "shell",
        "--port",
        String(port + 1),
        "--ca",
        `${certDir}/ca.pem`,
        "--cert",
        `${certDir}/cli.pem`,
        "--key",
        `${certDir}/cli.key`,
        "version-get",
      ], "");
      assert.equal(sh2.code, 0, sh2.err);
      assert.equal(JSON.parse(sh2.out)[0].text, "0.1.0");
    });
  } finally {
    await Deno.remove(certDir, { recursive: true });
  }
});
