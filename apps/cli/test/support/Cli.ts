/**
 * Runs the rosterkit CLI as a child process and captures stdout, stderr and the exit code.
 *
 * Speed: starting the CLI from TypeScript through tsx costs 1–2 s of CPU per process (tsx's
 * loader hooks on every module of effect); the tests would spend most of their time there. So
 * each test worker first bundles src/bin.ts — the same sources, `@rosterkit/source` condition —
 * into one ESM file with esbuild (a devDependency), under node_modules/.cache, and runs that
 * with plain node (~0.2 s per process). Set ROSTERKIT_TEST_TSX=1 to run every process through
 * tsx instead; `runTsx` always does (the `pnpm rosterkit` path).
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")
export const repoRoot = path.resolve(cliDir, "..", "..")
const binTs = path.join(cliDir, "src", "bin.ts")

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Extra environment (ROSTERKIT_* from the test runner's own environment are removed first). */
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  /** Kill the process after this many ms (default 90 s: a hang guard, roomy for a crowded CI machine). */
  readonly timeoutMs?: number
  /** Flags for node itself, e.g. `--max-old-space-size=32`. */
  readonly nodeOptions?: ReadonlyArray<string>
  /** Variables to remove (NO_COLOR=1 is set by default). */
  readonly unsetEnv?: ReadonlyArray<string>
}

let bundled: Promise<string> | undefined

/** Bundles src/bin.ts once per worker; resolves to the bundle's path. */
const bundle = (): Promise<string> =>
  (bundled ??= (async () => {
    const esbuild = await import("esbuild")
    const outDir = path.join(cliDir, "node_modules", ".cache", "rosterkit-cli-test")
    fs.mkdirSync(outDir, { recursive: true })
    // Each worker builds its own file, then renames it over bin.mjs (atomic; every build is the same).
    const building = path.join(outDir, `bin-${process.pid}.mjs`)
    const outfile = path.join(outDir, "bin.mjs")
    await esbuild.build({
      entryPoints: [binTs],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      conditions: ["@rosterkit/source"],
      outfile: building,
      logLevel: "error",
      // CommonJS dependencies inside an ESM bundle need `require`.
      banner: { js: "import { createRequire as __rosterkitRequire } from 'node:module'; const require = __rosterkitRequire(import.meta.url);" }
    })
    fs.renameSync(building, outfile)
    return outfile
  })())

const cleanEnv = (extra: Readonly<Record<string, string>> = {}, unset: ReadonlyArray<string> = []): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    // FORCE_COLOR (set by some runners) would make node warn about NO_COLOR on stderr.
    if (!key.startsWith("ROSTERKIT_") && key !== "NODE_OPTIONS" && key !== "FORCE_COLOR" && !key.startsWith("VITEST")) env[key] = value
  }
  const result: NodeJS.ProcessEnv = { ...env, NO_COLOR: "1", ...extra }
  for (const key of unset) delete result[key]
  return result
}

const exec = (argv: ReadonlyArray<string>, options: RunOptions): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd ?? repoRoot, env: cleanEnv(options.env, options.unsetEnv), stdio: ["ignore", "pipe", "pipe"] })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (b: Buffer) => out.push(b))
    child.stderr.on("data", (b: Buffer) => err.push(b))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") })
    })
  })

/** Runs `rosterkit ...args` through tsx, as `pnpm rosterkit` does. */
export const runTsx = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Result> =>
  exec([process.execPath, ...(options.nodeOptions ?? []), "--conditions=@rosterkit/source", "--import", "tsx", binTs, ...args], options)

/** Runs `rosterkit ...args` (the bundle, or tsx with ROSTERKIT_TEST_TSX=1). */
export const run = async (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Result> =>
  process.env["ROSTERKIT_TEST_TSX"]
    ? runTsx(args, options)
    : exec([process.execPath, ...(options.nodeOptions ?? []), await bundle(), ...args], options)

/** Runs a whole command line under `script`, so stdout and stderr are a terminal (undefined when `script` is missing). */
export const runInTerminal = async (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Result | undefined> => {
  if (!fs.existsSync("/usr/bin/script")) return undefined
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`
  const line = [process.execPath, await bundle(), ...args].map(quote).join(" ")
  return exec(["/usr/bin/script", "-qec", `stty cols 200 2>/dev/null; ${line}`, "/dev/null"], options)
}

export interface Screen {
  /** The exit code of the command. */
  readonly code: number
  /** The terminal's visible lines at the end, trailing blanks trimmed. */
  readonly lines: ReadonlyArray<string>
}

let screens = 0

/**
 * Runs `rosterkit ...args` in a real terminal emulator — a detached tmux session, 120×50,
 * stdout and stderr both on the terminal — and returns what the screen shows when the
 * command has ended (undefined when tmux is missing).
 */
export const runOnScreen = async (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Screen | undefined> => {
  if (!fs.existsSync("/usr/bin/tmux")) return undefined
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`
  const socket = `rosterkit-test-${process.pid}-${screens++}`
  const tmux = (...tmuxArgs: ReadonlyArray<string>) => exec(["/usr/bin/tmux", "-L", socket, "-f", "/dev/null", ...tmuxArgs], options)
  const env = Object.entries(cleanEnv(options.env, options.unsetEnv))
    .filter(([key]) => /^[A-Z_][A-Z0-9_]*$/i.test(key))
    .map(([key, value]) => `${key}=${quote(value ?? "")}`)
    .join(" ")
  const line = [process.execPath, await bundle(), ...args].map(quote).join(" ")
  // The shell prints a marker with the exit code, then waits to be killed, so the screen stays.
  const shell = `clear; env -i ${env} ${line}; printf '\\n@@exit=%s@@' $?; sleep 600`
  await tmux("new-session", "-d", "-x", "120", "-y", "50", "-c", options.cwd ?? repoRoot, "/bin/sh", "-c", shell)
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 30_000)
    for (;;) {
      const captured = await tmux("capture-pane", "-p")
      const marker = /@@exit=(\d+)@@/.exec(captured.stdout)
      if (marker !== null) {
        const lines = captured.stdout.slice(0, marker.index).replace(/\n+$/, "").split("\n").map((l) => l.trimEnd())
        return { code: Number(marker[1]), lines }
      }
      if (Date.now() > deadline) throw new Error(`the command did not end on screen:\n${captured.stdout}`)
      await new Promise((wake) => setTimeout(wake, 100))
    }
  } finally {
    await tmux("kill-server")
  }
}
