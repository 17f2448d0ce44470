/**
 * `deno task image [--base IMAGE] [--tag NAME] [--fresh-base]`: builds weka's container image from the top-level Dockerfile with
 * podman (docker where podman is absent and a docker daemon answers), and prints how long each part took and the
 * image's size.
 *
 * 1. The npm packages weka imports are fetched on this host into `.image/deno-dir` (what the Dockerfile copies),
 *    so the image build itself needs no network.
 * 2. The base: `--base IMAGE` when given; else the base built earlier (unless `--fresh-base`) (`localhost/weka-base:bookworm-deno`); else
 *    the task tries to pull Deno's Debian image, and where no container registry can be reached (these machines
 *    reach none) it says so and builds the base from Debian packages with mmdebstrap (essential packages plus
 *    `passwd`, the suite of this host) with the Deno binary running this task copied in (the one
 *    `npm install -g deno@2.9.6` installs).
 * 3. `build --build-arg BASE=…` of the Dockerfile (docker format, so the HEALTHCHECK is kept).
 *
 * With podman and no CONTAINERS_CONF set, config/image/containers.conf is used when runc is installed (runc,
 * cgroupfs, no default ulimits: what works in sandboxes whose cgroup setup crun refuses).
 */
const REPO = new URL("../../", import.meta.url).pathname;
export const BASE_TAG = "localhost/weka-base:bookworm-deno";
export const IMAGE_TAG = "localhost/weka:latest";
const UPSTREAM = "docker.io/denoland/deno:debian-2.9.6";

const say = (s: string) => console.log(`image: ${s}`);

function which(cmd: string): string | undefined {
  for (const d of (Deno.env.get("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
    try {
      if (Deno.statSync(`${d}/${cmd}`).isFile) return `${d}/${cmd}`;
    } catch { /* not here */ }
  }
  return undefined;
}

async function run(cmd: string[], opts: { quiet?: boolean; timeoutMs?: number } = {}): Promise<string> {
  const child = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    env: containerEnv(),
  }).spawn();
  const timer = opts.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs) : undefined;
  const o = await child.output();
  clearTimeout(timer);
  const out = new TextDecoder().decode(o.stdout), err = new TextDecoder().decode(o.stderr);
  if (!o.success) throw new Error(`${cmd.join(" ")} exited ${o.code}:\n${(err || out).trim().slice(-3000)}`);
  if (!opts.quiet && err.trim()) console.error(err.trim().split("\n").slice(-3).join("\n"));
  return out;
}

/** The environment of podman calls: this repository's containers.conf unless the caller set one. */
export function containerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  if (!Deno.env.get("CONTAINERS_CONF") && which("runc")) env.CONTAINERS_CONF = `${REPO}config/image/containers.conf`;
  return env;
}

/** podman, or docker when its daemon answers; undefined when neither can build. */
export async function containerEngine(): Promise<string | undefined> {
  if (which("podman")) return "podman";
  if (which("docker")) {
    try {
      await run(["docker", "info"], { quiet: true, timeoutMs: 10_000 });
      return "docker";
    } catch { /* a client without a daemon */ }
  }
  return undefined;
}

async function imageExists(engine: string, tag: string): Promise<boolean> {
  try {
    await run([engine, "image", "inspect", tag], { quiet: true });
    return true;
  } catch {
    return false;
  }
}

function hostSuite(): string {
  try {
    return /^VERSION_CODENAME=(\w+)/m.exec(Deno.readTextFileSync("/etc/os-release"))?.[1] ?? "bookworm";
  } catch {
    return "bookworm";
  }
}

/** Builds the base from Debian packages plus this host's Deno and imports it as BASE_TAG. */
async function debianBase(engine: string): Promise<void> {
  if (!which("mmdebstrap")) throw new Error("building the base needs mmdebstrap (apt-get install mmdebstrap)");
  const dir = await Deno.makeTempDir({ prefix: "weka-base-" });
  try {
    const suite = hostSuite();
    say(`building the base from Debian ${suite} packages (mmdebstrap, essential + passwd) plus ${Deno.execPath()}`);
    await run([
      "mmdebstrap",
      "--quiet",
      "--variant=essential",
      "--include=passwd",
      `--customize-hook=copy-in ${Deno.execPath()} /usr/local/bin`,
      '--customize-hook=chmod 0755 "$1/usr/local/bin/deno"',
      '--customize-hook=rm -rf "$1"/usr/share/doc "$1"/usr/share/man "$1"/usr/share/info "$1"/usr/share/locale ' +
      '"$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*',
      suite,
      `${dir}/base.tar`,
    ]);
    await run([
      engine,
      "import",
      "--change",
      "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      `${dir}/base.tar`,
      BASE_TAG,
    ], { quiet: true });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Picks (or makes) the base; returns its name. */
async function base(engine: string, given?: string): Promise<string> {
  if (given) return given;
  if (await imageExists(engine, BASE_TAG)) {
    say(`base ${BASE_TAG} is here already (built earlier; remove it to rebuild)`);
    return BASE_TAG;
  }
  try {
    await run([engine, "pull", "-q", UPSTREAM], { quiet: true, timeoutMs: 30_000 });
    say(`base ${UPSTREAM} pulled`);
    return UPSTREAM;
  } catch (e) {
    say(`no container registry reachable (${(e as Error).message.split("\n").at(-1)?.slice(0, 120)})`);
  }
  await debianBase(engine);
  return BASE_TAG;
}

/** Builds the image; returns its tag. */
export async function buildImage(opts: { base?: string; tag?: string; freshBase?: boolean } = {}): Promise<string> {
  const engine = await containerEngine();
  if (!engine) throw new Error("no container engine: apt-get install podman runc (or run a docker daemon)");
  if (opts.freshBase && await imageExists(engine, BASE_TAG)) {
    say(`--fresh-base: removing ${BASE_TAG} to build it again`);
    await run([engine, "rmi", "-f", BASE_TAG], { quiet: true });
  }
  const tag = opts.tag ?? IMAGE_TAG;
  const t0 = performance.now();
  const lap = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  let t = performance.now();
  say("fetching the npm packages weka imports into .image/deno-dir");
  await Deno.mkdir(`${REPO}.image/deno-dir`, { recursive: true });
  const install = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--quiet"],
    cwd: REPO,
    env: { DENO_DIR: `${REPO}.image/deno-dir` },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!install.success) throw new Error("deno install (the npm packages) failed");
  say(`packages ready in ${lap(t)}`);
  t = performance.now();
  const from = await base(engine, opts.base);
  say(`base ${from} ready in ${lap(t)}`);
  t = performance.now();
  const idOf = (t: string) =>
    run([engine, "image", "inspect", "--format", "{{.Id}}", t], { quiet: true }).catch(() => "");
  const old = (await idOf(tag)).trim();
  const fmt = engine === "podman" ? ["--format", "docker"] : [];
  await run(
    [engine, "build", "-q", ...fmt, "--build-arg", `BASE=${from}`, "-t", tag, "-f", `${REPO}Dockerfile`, REPO],
    {
      quiet: true,
    },
  );
  // the image this build replaced would be left untagged: remove it (when no container uses it)
  if (old && old !== (await idOf(tag)).trim()) await run([engine, "rmi", old], { quiet: true }).catch(() => "");
  const size = Number((await run([engine, "image", "inspect", "--format", "{{.Size}}", tag], { quiet: true })).trim());
  say(`built ${tag} (FROM ${from}) in ${lap(t)}; ${(size / 1e6).toFixed(0)} MB; ${lap(t0)} in all`);
  return tag;
}

if (import.meta.main) {
  const args = Deno.args;
  const val = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  try {
    await buildImage({ base: val("--base"), tag: val("--tag"), freshBase: args.includes("--fresh-base") });
  } catch (e) {
    console.error(`deno task image: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
