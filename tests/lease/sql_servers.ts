/**
 * Private PostgreSQL and MariaDB servers for the tests (issue 15): each in its own data directory under a temporary
 * directory, on its own port (and unix socket in that directory), optionally inside a lab network namespace
 * (`netns`, listening on `listen`); no system service is touched. The Kea schema is made by `kea-admin db-init`,
 * as a site makes it. Needs root (PostgreSQL runs as the `postgres` user, MariaDB as root) and Debian's
 * `postgresql`, `mariadb-server` and `kea-admin`; `sqlSkipReason` says what is missing.
 */
import type { DbAccess } from "../../mod/config/model.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";

/** A running private database server with one Kea database `kea` (user kea / keapass). */
export interface SqlServer {
  type: "postgresql" | "mysql";
  /** where it listens (an IPv4 address) and its port */
  host: string;
  port: number;
  dir: string;
  /** the DbAccess of its `kea` database, Kea 2.2 defaults */
  access(over?: Partial<DbAccess>): DbAccess;
  /** the Kea config map (`lease-database` / `hosts-database`) of this database */
  keaMap(extra?: Record<string, unknown>): Record<string, unknown>;
  /** runs SQL as the kea user, returns stdout (tab-separated rows) */
  sql(text: string): Promise<string>;
  /** the server's pid (for SIGKILL tests) */
  pid(): Promise<number>;
  /** SIGKILLs the server and every process it started (a crash) */
  kill(): Promise<void>;
  /** starts the server again after a kill (same data directory) */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Why the SQL tests cannot run here, or undefined. */
export function sqlSkipReason(type: "postgresql" | "mysql"): string | undefined {
  if (Deno.build.os !== "linux" || Deno.uid() !== 0) return "the SQL database tests need root on Linux (CI is root)";
  if (!exists("/usr/sbin/kea-admin")) return "kea-admin is missing (apt-get install kea-admin)";
  if (type === "postgresql" && !exists(`${PG_BIN}/initdb`)) {
    return "PostgreSQL 15 is missing (apt-get install postgresql)";
  }
  if (type === "mysql" && !exists("/usr/sbin/mariadbd")) return "MariaDB is missing (apt-get install mariadb-server)";
  return undefined;
}

async function run(cmd: string[], env: Record<string, string> = {}, netns?: string): Promise<string> {
  const argv = netns ? ["ip", "netns", "exec", netns, ...cmd] : cmd;
  const o = await new Deno.Command(argv[0], { args: argv.slice(1), env, stdout: "piped", stderr: "piped" }).output();
  const out = new TextDecoder().decode(o.stdout), err = new TextDecoder().decode(o.stderr);
  if (!o.success) throw new Error(`${cmd.join(" ")} failed (${o.code}): ${err || out}`);
  return out;
}

function freePort(): number {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + Math.floor(Math.random() * 20000);
    try {
      Deno.listen({ hostname: "127.0.0.1", port: p }).close();
      return p;
    } catch { /* taken */ }
  }
  throw new Error("no free port");
}

async function until(ok: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Kills a server the test process leaves running (a filtered run skips the test that stops it, or a test fails
 * before): on unload, synchronously, SIGKILL to `pid()` and its data directory removed. `stop` disarms it.
 */
function killOnUnload(pid: () => number | undefined, dir: string): () => void {
  const onUnload = () => {
    try {
      const p = pid();
      if (p) Deno.kill(p, "SIGKILL");
    } catch { /* gone */ }
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* gone */ }
  };
  globalThis.addEventListener("unload", onUnload);
  return () => globalThis.removeEventListener("unload", onUnload);
}

function base(type: "postgresql" | "mysql", host: string, port: number, dir: string) {
  return {
    type,
    host,
    port,
    dir,
    access: (over: Partial<DbAccess> = {}): DbAccess => ({
      type,
      name: "kea",
      host,
      port,
      user: "kea",
      password: "keapass",
      connectTimeout: 5,
      readTimeout: 0,
      writeTimeout: 0,
      tcpUserTimeout: 0,
      maxReconnectTries: 0,
      reconnectWaitTime: 0,
      onFail: "stop-retry-exit",
      readonly: false,
      ...over,
    }),
    keaMap: (extra: Record<string, unknown> = {}) => ({
      type,
      name: "kea",
      host,
      port,
      user: "kea",
      password: "keapass",
      ...extra,
    }),
  };
}

/** Starts a private PostgreSQL 15 with a Kea database (see the file comment); `tls`: TCP only over TLS. */
export async function startPostgres(
  opts: { netns?: string; listen?: string; tls?: { certFile: string; keyFile: string } } = {},
): Promise<SqlServer> {
  const dir = await Deno.makeTempDir({ prefix: "weka-pg-" });
  const host = opts.listen ?? "127.0.0.1";
  const port = freePort();
  await Deno.chmod(dir, 0o755);
  await run(["chown", "postgres", dir]);
  const asPg = (cmd: string[], netns?: string) => run(["runuser", "-u", "postgres", "--", ...cmd], {}, netns);
  await Deno.writeTextFile(`${dir}/pw`, "postgres\n");
  await run(["chown", "postgres", `${dir}/pw`]);
  await asPg([`${PG_BIN}/initdb`, "-D", `${dir}/data`, "-A", "md5", "-U", "postgres", `--pwfile=${dir}/pw`]);
  // with `tls`: TCP clients must use TLS (hostssl), with the given certificate
  const hba = opts.tls ? "hostssl all all 0.0.0.0/0 md5" : "host all all 0.0.0.0/0 md5";
  await Deno.writeTextFile(`${dir}/data/pg_hba.conf`, `local all all trust\n${hba}\n`);
  let tlsArgs = "";
  if (opts.tls) {
    for (const [from, to] of [[opts.tls.certFile, "server.crt"], [opts.tls.keyFile, "server.key"]]) {
      await Deno.copyFile(from, `${dir}/data/${to}`);
      await run(["chown", "postgres", `${dir}/data/${to}`]);
      await Deno.chmod(`${dir}/data/${to}`, 0o600);
    }
    tlsArgs = " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key";
  }
  const start = () =>
    asPg([
      `${PG_BIN}/pg_ctl`,
      "-D",
      `${dir}/data`,
      "-l",
      `${dir}/log`,
      "-o",
      `-k ${dir} -p ${port} -h ${host} -c max_connections=200${tlsArgs}`,
      "-w",
      "start",
    ], opts.netns);
  await start();
  const psql = (text: string, user = "kea", db = "kea") =>
    run(["psql", "-h", dir, "-p", String(port), "-U", user, "-d", db, "-At", "-F", "\t", "-c", text]);
  await psql("CREATE USER kea PASSWORD 'keapass'", "postgres", "postgres");
  await psql("CREATE DATABASE kea OWNER kea", "postgres", "postgres");
  await run([
    "kea-admin",
    "db-init",
    "pgsql",
    "-u",
    "kea",
    "-p",
    "keapass",
    "-n",
    "kea",
    "-h",
    host,
    "-P",
    String(port),
  ], {
    PGPASSWORD: "keapass",
  }, opts.netns);
  const pid = async () => Number((await Deno.readTextFile(`${dir}/data/postmaster.pid`)).split("\n")[0]);
  const disarm = killOnUnload(() => {
    try {
      return Number(Deno.readTextFileSync(`${dir}/data/postmaster.pid`).split("\n")[0]) || undefined;
    } catch {
      return undefined;
    }
  }, dir);
  return {
    ...base("postgresql", host, port, dir),
    sql: (text) => psql(text),
    pid,
    kill: async () => {
      const main = await pid();
      const kids = await run(["ps", "-o", "pid=", "--ppid", String(main)]).catch(() => "");
      for (const p of [main, ...kids.trim().split(/\s+/).filter(Boolean).map(Number)]) {
        try {
          Deno.kill(p, "SIGKILL");
        } catch { /* gone */ }
      }
      await new Promise((r) => setTimeout(r, 300));
    },
    restart: async () => {
      await Deno.remove(`${dir}/data/postmaster.pid`).catch(() => {});
      await start();
    },
    stop: async () => {
      disarm();
      await asPg([`${PG_BIN}/pg_ctl`, "-D", `${dir}/data`, "-m", "immediate", "stop"]).catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Starts a private MariaDB with a Kea database (see the file comment). */
export async function startMariadb(opts: { netns?: string; listen?: string } = {}): Promise<SqlServer> {
  const dir = await Deno.makeTempDir({ prefix: "weka-my-" });
  const host = opts.listen ?? "127.0.0.1";
  const port = freePort();
  await run([
    "mariadb-install-db",
    "--no-defaults",
    "--user=root",
    `--datadir=${dir}/data`,
    "--auth-root-authentication-method=socket",
    "--skip-test-db",
  ]);
  let child: Deno.ChildProcess | undefined;
  const sock = `${dir}/sock`;
  const start = async () => {
    const args = [
      "--no-defaults",
      "--user=root",
      `--datadir=${dir}/data`,
      `--socket=${sock}`,
      `--port=${port}`,
      `--bind-address=${host}`,
      `--pid-file=${dir}/pid`,
      `--log-error=${dir}/err.log`,
      "--innodb-buffer-pool-size=64M",
      "--skip-name-resolve",
      "--max-connections=300",
    ];
    const argv = opts.netns ? ["ip", "netns", "exec", opts.netns, "mariadbd", ...args] : ["mariadbd", ...args];
    child = new Deno.Command(argv[0], { args: argv.slice(1), stdout: "null", stderr: "null" }).spawn();
    await until(
      () => run(["mariadb", "--no-defaults", "-S", sock, "-u", "root", "-e", "SELECT 1"]).then(() => true),
      30000,
      "MariaDB",
    );
  };
  await start();
  const disarm = killOnUnload(() => child?.pid, dir);
  const root = (text: string) => run(["mariadb", "--no-defaults", "-S", sock, "-u", "root", "-e", text]);
  await root(
    "CREATE DATABASE kea; CREATE USER 'kea'@'%' IDENTIFIED BY 'keapass'; GRANT ALL ON kea.* TO 'kea'@'%'; " +
      "CREATE USER 'kea'@'localhost' IDENTIFIED BY 'keapass'; GRANT ALL ON kea.* TO 'kea'@'localhost';",
  );
  // Kea 2.2's kea-admin forgets the port on its first mysql call: the client's MYSQL_TCP_PORT supplies it
  await run(
    ["kea-admin", "db-init", "mysql", "-u", "kea", "-p", "keapass", "-n", "kea", "-h", host, "-P", String(port)],
    { MYSQL_TCP_PORT: String(port) },
    opts.netns,
  );
  return {
    ...base("mysql", host, port, dir),
    sql: (text) =>
      run(["mariadb", "--no-defaults", "-S", sock, "-u", "kea", "-pkeapass", "-N", "-B", "kea", "-e", text]),
    pid: async () => Number((await Deno.readTextFile(`${dir}/pid`)).trim()),
    kill: async () => {
      child?.kill("SIGKILL");
      await child?.status;
    },
    restart: async () => {
      await child?.status;
      await start();
    },
    stop: async () => {
      disarm();
      try {
        child?.kill("SIGKILL");
      } catch { /* gone */ }
      await child?.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Starts the server of `type`. */
export function startSqlServer(type: "postgresql" | "mysql", opts: { netns?: string; listen?: string } = {}) {
  return type === "postgresql" ? startPostgres(opts) : startMariadb(opts);
}
