/**
 * Reading the files a listener or an HA peer is configured with — passwords, certificates, keys, trust anchors —
 * safely: only regular files (following symlinks, as Kea's OpenSSL does), at most 1 MiB each, and an error that
 * names the file and the configuration key, never its content. A trust anchor is a PEM file or a directory of
 * them (Kea's `trust-anchor` takes both; every regular file of the directory is read, in name order).
 */

/** Largest file read (a CA bundle of a few hundred certificates still fits). */
export const MAX_SECRET_FILE_BYTES = 1 << 20;

/** Reads one text file for configuration key `what`; throws an Error naming the path and the reason. */
export function readConfiguredFile(path: string, what: string): string {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    throw new Error(`cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
  if (!info.isFile) throw new Error(`the ${what} ${path} is not a regular file`);
  if (info.size > MAX_SECRET_FILE_BYTES) {
    throw new Error(`the ${what} ${path} is larger than ${MAX_SECRET_FILE_BYTES} bytes`);
  }
  try {
    return Deno.readTextFileSync(path);
  } catch (e) {
    throw new Error(`cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
}

/** The PEM texts of a trust anchor: the file itself, or every regular file of the directory. */
export function readTrustAnchor(path: string, what = "trust-anchor"): string[] {
  let dir = false;
  try {
    dir = Deno.statSync(path).isDirectory;
  } catch (e) {
    throw new Error(`cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
  if (!dir) return [readConfiguredFile(path, what)];
  const names = [...Deno.readDirSync(path)].filter((e) => e.isFile || e.isSymlink).map((e) => e.name).sort();
  const pems = names.map((n) => readConfiguredFile(`${path}/${n}`, what)).filter((t) => t.includes("-----BEGIN"));
  if (!pems.length) throw new Error(`the ${what} directory ${path} holds no PEM certificate`);
  return pems;
}
