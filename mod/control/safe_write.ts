/**
 * Where the write commands (`lease4-write`, `lease6-write`, `config-write`) may write. Kea 2.7.9 restricted them
 * to the directory of the lease file / configuration file, but checked the path text; weka checks the real file:
 * the name is resolved (`..`, a symlinked directory), must land directly in the allowed directory, must not be a
 * symbolic link, and must not be a file the running server lives on — the lease database and its SQLite
 * write-ahead log and shared-memory files, the running configuration, the pid file, the server DUID, the D2
 * journal. Overwriting those answered success before and corrupted the live database ("database disk image is
 * malformed", then "file is not a database" at the next start). A refusal is Kea's result 1 with a text naming the
 * file and the reason; the write itself goes through a temporary file renamed over the target (the context's
 * `writeTextFile`), so a reader never sees half a file. Pure: the file-system facts come from `WriteFs`.
 */
import { basename, dirname, isAbsolute, join, resolve } from "./posix_path.ts";
import { CommandError, Result } from "./answer.ts";

/** The file-system facts the check needs (the edge implements them with Deno.realPath / Deno.lstat). */
export interface WriteFs {
  /** the canonical path of an existing file or directory (symlinks and `..` resolved); undefined when missing */
  realPath(path: string): Promise<string | undefined>;
  /** true when `path` itself is a symbolic link */
  isSymlink(path: string): Promise<boolean>;
}

/** A file the running server owns, and what it is (for the refusal text). */
export interface LiveFile {
  path: string;
  what: string;
}

/** The files of a lease database kept in Deno KV (SQLite): the database and its journal files. */
export function kvFiles(path: string, what = "the live lease database"): LiveFile[] {
  return [
    { path, what },
    { path: `${path}-wal`, what: `${what}'s write-ahead log` },
    { path: `${path}-shm`, what: `${what}'s shared-memory file` },
    { path: `${path}-journal`, what: `${what}'s journal` },
  ];
}

/**
 * The real path `name` (absolute, or relative to `dir`) may be written at, or a CommandError (result 1) saying
 * why not: outside `dir` (after resolving), a symbolic link, or one of the `live` files. `cmd` starts the text.
 */
export async function writableTarget(
  cmd: string,
  name: string,
  dir: string,
  live: readonly LiveFile[],
  fs: WriteFs,
): Promise<string> {
  const refuse = (why: string): never => {
    throw new CommandError(Result.ERROR, `${cmd}: not allowed to write into ${name}: ${why}`);
  };
  const realDir = await fs.realPath(dir);
  if (!realDir) refuse(`the directory ${dir} does not exist`);
  const candidate = isAbsolute(name) ? resolve(name) : resolve(join(dir, name));
  const parent = await fs.realPath(dirname(candidate));
  if (parent !== realDir) refuse(`the file must be in ${dir}`);
  const target = join(realDir!, basename(candidate));
  if (await fs.isSymlink(target)) refuse("it is a symbolic link");
  for (const f of live) {
    const liveDir = await fs.realPath(dirname(resolve(f.path)));
    if (liveDir && join(liveDir, basename(f.path)) === target) refuse(`it is ${f.what} (${f.path})`);
  }
  return target;
}
