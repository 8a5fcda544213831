/**
 * Child processes of the benchmarks: Node scripts run from TypeScript sources (tsx, with the
 * `@rosterkit/source` condition, as `pnpm rosterkit` does), measured for wall time and peak RSS.
 *
 * Peak RSS comes from GNU time (`/usr/bin/time -f %M`, the child's ru_maxrss) when it is
 * installed, else from a preload (`maxrss.mjs`) that writes `process.resourceUsage().maxRSS`
 * when the child exits. `ROSTERKIT_BENCH_RSS=preload` forces the preload.
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))

/** The repository root (tools/bench/src -> ../../..). */
export const root = path.resolve(here, "..", "..", "..")

/** The CLI entry point (`pnpm rosterkit` runs it with tsx). */
export const cliBin = path.join(root, "apps", "cli", "src", "bin.ts")

/** A script of this package (server.ts, csvCount.ts). */
export const script = (name: string): string => path.join(here, name)

/** Node flags that run TypeScript sources of the workspace. */
export const tsNodeArgs: ReadonlyArray<string> = ["--conditions=@rosterkit/source", "--import", "tsx"]

const gnuTime = "/usr/bin/time"
const preload = path.join(here, "maxrss.mjs")

/** How peak RSS is measured on this machine. */
export const rssMethod = (): "time" | "preload" =>
  process.env["ROSTERKIT_BENCH_RSS"] === "preload" || !fs.existsSync(gnuTime) ? "preload" : "time"

export interface RunOptions {
  /** Count the newline-terminated lines of stdout (and discard it) instead of keeping it. */
  readonly countLines?: boolean
  readonly env?: Readonly<Record<string, string>>
  /** Kill the child after this long (default 30 minutes). */
  readonly timeoutMs?: number
}

export interface Measured {
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly wallMs: number
  /** Peak resident set size of the child, in KiB. */
  readonly maxRssKiB: number
  /** CPU time of the child (user + system), in seconds. */
  readonly cpuSeconds: number
  readonly rssMethod: "time" | "preload"
  /** Lines of stdout (with `countLines`). */
  readonly lines: number
  /** Bytes of stdout. */
  readonly bytes: number
  /** stdout (without `countLines`; capped at 1 MiB). */
  readonly stdout: string
  /** The last 16 KiB of stderr. */
  readonly stderr: string
}

/** This process's environment without ROSTERKIT_* settings (a child must not pick up the user's district). */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("ROSTERKIT_") && key !== "NODE_OPTIONS") env[key] = value
  return env
}

const tail = (text: string, max: number) => (text.length > max ? text.slice(text.length - max) : text)

/**
 * Runs `node <nodeArgs>` and measures it. Resolves when it exits (whatever its exit code);
 * rejects only when it cannot be started or its peak RSS cannot be read.
 */
export const runNode = (nodeArgs: ReadonlyArray<string>, options: RunOptions = {}): Promise<Measured> =>
  new Promise((resolve, reject) => {
    const method = rssMethod()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rosterkit-bench-rss-"))
    const rssFile = path.join(dir, "maxrss")
    const [command, args] =
      method === "time"
        ? [gnuTime, ["-f", "%M %U %S", "-o", rssFile, process.execPath, ...nodeArgs]]
        : [process.execPath, ["--import", pathToFileURL(preload).href, ...nodeArgs]]
    const started = performance.now()
    const child = spawn(command, args, {
      cwd: root,
      env: { ...cleanEnv(), ...options.env, ROSTERKIT_BENCH_MAXRSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let lines = 0
    let bytes = 0
    const out: Array<Buffer> = []
    let outBytes = 0
    let err = ""
    child.stdout.on("data", (chunk: Buffer) => {
      bytes += chunk.length
      if (options.countLines === true) {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++
      } else if (outBytes < 1024 * 1024) {
        out.push(chunk)
        outBytes += chunk.length
      }
    })
    child.stderr.on("data", (chunk: Buffer) => {
      err = tail(err + chunk.toString("utf8"), 16 * 1024)
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30 * 60_000)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer)
      const wallMs = performance.now() - started
      let maxRssKiB = Number.NaN
      let cpuSeconds = Number.NaN
      try {
        // GNU time writes "Command exited with non-zero status N" before the numbers on failure.
        const text = fs.readFileSync(rssFile, "utf8").trim().split(/\s+/)
        maxRssKiB = Number(text[text.length - 3])
        cpuSeconds = Number(text[text.length - 2]) + Number(text[text.length - 1])
      } catch {
        // left NaN: reported below
      }
      fs.rmSync(dir, { recursive: true, force: true })
      if (!Number.isFinite(maxRssKiB)) {
        reject(new Error(`could not read the peak RSS of node ${nodeArgs.join(" ")} (exit ${exitCode ?? signal}): ${tail(err, 2000)}`))
        return
      }
      resolve({
        exitCode,
        signal,
        wallMs,
        maxRssKiB,
        cpuSeconds,
        rssMethod: method,
        lines,
        bytes,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: err
      })
    })
  })

/** A long-running child (a server) that prints one JSON line when it is ready. */
export interface Service<A> {
  readonly ready: A
  readonly process: ChildProcess
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  readonly stop: () => Promise<void>
}

/**
 * Starts `node <nodeArgs>` and waits for its first stdout line, parsed as JSON. The child's
 * stdin is a pipe it can watch: it closes when this process exits, so a server never outlives
 * the benchmark.
 */
export const startService = <A>(nodeArgs: ReadonlyArray<string>, timeoutMs = 15 * 60_000): Promise<Service<A>> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs], { cwd: root, stdio: ["pipe", "pipe", "pipe"] })
    let buffered = ""
    let err = ""
    let settled = false
    const exited = new Promise<void>((done) => child.on("close", () => done()))
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM")
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000)
        await exited
        clearTimeout(timer)
      }
    }
    const fail = (reason: string) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void stop()
      reject(new Error(`${reason}: ${tail(err, 2000)}`))
    }
    const timer = setTimeout(() => fail(`node ${nodeArgs.join(" ")} was not ready after ${timeoutMs} ms`), timeoutMs)
    child.stderr.on("data", (chunk: Buffer) => {
      err = tail(err + chunk.toString("utf8"), 16 * 1024)
    })
    child.stdout.on("data", (chunk: Buffer) => {
      if (settled) return
      buffered += chunk.toString("utf8")
      const newline = buffered.indexOf("\n")
      if (newline === -1) return
      settled = true
      clearTimeout(timer)
      try {
        resolve({ ready: JSON.parse(buffered.slice(0, newline)) as A, process: child, stop })
      } catch (error) {
        void stop()
        reject(new Error(`node ${nodeArgs.join(" ")} printed no JSON line: ${String(error)}`))
      }
    })
    child.on("error", (error) => fail(error.message))
    child.on("close", (code, signal) => fail(`node ${nodeArgs.join(" ")} exited (${code ?? signal}) before it was ready`))
  })
