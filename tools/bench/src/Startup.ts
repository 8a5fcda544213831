/**
 * `startup`: what starting the installed CLI costs.
 *
 * Builds the CLI bundle (apps/cli/scripts/build.mjs) into a temp copy of the package (never
 * into apps/cli/dist, which other tasks may be packing), packs that with `npm pack` (its
 * package.json has no dependencies left to rewrite), installs the tarball with
 * `npm install --omit=dev` into an empty temp project (the bundle has no runtime
 * dependencies, so this needs no registry), and reports:
 *
 * - the installed size of node_modules and its package count;
 * - `rosterkit --version` and `rosterkit users --count` (the demo district, 139 students) from
 *   the installed bin, `size` runs each, whole process (spawn to exit), median / p90 / min wall
 *   time and median CPU time (user + system, from the child's rusage);
 * - the README's way inside the workspace, `npx -y pnpm@10 --silent rosterkit users --count`,
 *   a few runs (it adds npx and pnpm's own start).
 *
 * PASS when the install is under 40 MB, the median `--version` is at most 150 ms and the median
 * demo query at most 400 ms (the packaging targets), and every run printed the right thing.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Child from "./Child.js"
import * as Report from "./Report.js"

export interface Options {
  /** Runs of each installed-bin command (default 100). */
  readonly size: number
  /** Runs of the workspace's pnpm script (default 5; 0 leaves that row out). It runs apps/cli/dist, built on install. */
  readonly pnpmRuns?: number
  readonly log?: (line: string) => void
}

export const defaultSize = 100
const limits = { installedMiB: 40, versionMs: 150, demoMs: 400 } as const

interface Timed {
  readonly code: number | null
  readonly stdout: string
  readonly wallMs: number
  readonly cpuMs: number
}

/** Runs a command to its end: exit code, stdout and wall time (CPU time unknown). */
const timed = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Timed> =>
  new Promise((resolve, reject) => {
    const env = { ...process.env }
    for (const key of Object.keys(env)) if (/^(ROSTERKIT_|npm_|NODE_OPTIONS$|FORCE_COLOR$)/.test(key)) delete env[key]
    const started = performance.now()
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "ignore"] })
    const out: Array<Buffer> = []
    child.stdout.on("data", (b: Buffer) => out.push(b))
    child.on("error", reject)
    child.on("exit", (code) => {
      const wallMs = performance.now() - started
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), wallMs, cpuMs: Number.NaN })
    })
  })

/** Like `timed`, with CPU time from GNU time when it is installed. */
const measure = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Timed> => {
  if (Child.rssMethod() !== "time") return timed(command, args, cwd)
  const report = path.join(os.tmpdir(), `rosterkit-startup-${process.pid}.time`)
  const result = await timed("/usr/bin/time", ["-o", report, "-f", "%U %S", command, ...args], cwd)
  const [user, system] = fs.readFileSync(report, "utf8").trim().split(/\s+/).slice(-2).map(Number)
  fs.rmSync(report, { force: true })
  return { ...result, cpuMs: ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000 }
}

const quantile = (values: ReadonlyArray<number>, q: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN
}

const must = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<void> => {
  const result = await timed(command, args, cwd)
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.code}`)
}

const sizeOf = (dir: string): { bytes: number; packages: number } => {
  let bytes = 0
  let packages = 0
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name)
      if (entry.isDirectory()) walk(full)
      else {
        bytes += fs.lstatSync(full).size
        if (entry.name === "package.json" && path.basename(path.dirname(path.dirname(full))).match(/^(node_modules|@.*)$/)) packages++
      }
    }
  }
  walk(dir)
  return { bytes, packages }
}

export const run = async (options: Options): Promise<Report.Result> => {
  const log = options.log ?? (() => {})
  const startedAt = new Date().toISOString()
  const runs = Math.max(1, options.size)
  const pnpmRuns = options.pnpmRuns ?? 5
  const work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "rosterkit-startup-"))
  try {
    log("building and packing the CLI")
    const cliDir = path.join(Child.root, "apps", "cli")
    const staging = path.join(work, "package")
    fs.mkdirSync(staging)
    const manifest = JSON.parse(fs.readFileSync(path.join(cliDir, "package.json"), "utf8")) as Record<string, unknown>
    delete manifest["devDependencies"]
    delete manifest["nx"]
    delete manifest["scripts"] // its prepack insists on pnpm; this copy has no workspace ranges left
    fs.writeFileSync(path.join(staging, "package.json"), JSON.stringify(manifest, null, 2))
    fs.copyFileSync(path.join(cliDir, "README.md"), path.join(staging, "README.md"))
    await must(process.execPath, [path.join(cliDir, "scripts", "build.mjs"), "--outdir", path.join(staging, "dist")], Child.root)
    await must("npm", ["pack", "--pack-destination", work, "--loglevel=error"], staging)
    const tarball = fs.readdirSync(work).find((name) => name.endsWith(".tgz"))
    if (tarball === undefined) throw new Error("pnpm pack wrote no tarball")
    const project = path.join(work, "project")
    fs.mkdirSync(project)
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "startup", version: "1.0.0", private: true }))
    log("npm install --omit=dev")
    await must("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error", path.join(work, tarball)], project)
    const installed = sizeOf(path.join(project, "node_modules"))
    const bin = path.join(project, "node_modules", ".bin", "rosterkit")
    const version = String(manifest["version"])

    const series = async (label: string, command: string, args: ReadonlyArray<string>, cwd: string, count: number, expected: string) => {
      const results: Array<Timed> = []
      for (let i = 0; i < count; i++) {
        results.push(await measure(command, args, cwd))
        if ((i + 1) % 10 === 0 || i + 1 === count) log(`${label}: ${i + 1}/${count}`)
      }
      const correct = results.every((r) => r.code === 0 && r.stdout === expected)
      const walls = results.map((r) => r.wallMs)
      const cpus = results.map((r) => r.cpuMs)
      return { label, runs: count, correct, median: quantile(walls, 0.5), p90: quantile(walls, 0.9), min: Math.min(...walls), cpu: quantile(cpus, 0.5) }
    }

    const versionRuns = await series("rosterkit --version", bin, ["--version"], project, runs, `${version}\n`)
    const demoRuns = await series("rosterkit users --count", bin, ["users", "--count"], project, runs, "139\n")
    const pnpmScript = pnpmRuns === 0 ? undefined : await series("npx -y pnpm@10 --silent rosterkit users --count (workspace)", "npx", ["-y", "pnpm@10", "--silent", "rosterkit", "users", "--count"], Child.root, pnpmRuns, "139\n")

    const installedMiB = installed.bytes / 1024 ** 2
    const row = (s: Awaited<ReturnType<typeof series>>, target: number | null): Report.Row => ({
      what: s.label,
      runs: s.runs,
      "median ms": Math.round(s.median),
      "p90 ms": Math.round(s.p90),
      "min ms": Math.round(s.min),
      "cpu ms (median)": Number.isNaN(s.cpu) ? null : Math.round(s.cpu),
      "target ms": target,
      correct: s.correct
    })
    const rows: Array<Report.Row> = [
      { what: `installed: npm install --omit=dev (${installed.packages} package${installed.packages === 1 ? "" : "s"})`, runs: null, "median ms": null, "p90 ms": null, "min ms": null, "cpu ms (median)": null, "target ms": null, correct: installedMiB < limits.installedMiB, "MiB": Math.round(installedMiB * 100) / 100 },
      row(versionRuns, limits.versionMs),
      row(demoRuns, limits.demoMs),
      ...(pnpmScript === undefined ? [] : [row(pnpmScript, null)])
    ]
    const pass =
      installedMiB < limits.installedMiB &&
      versionRuns.median <= limits.versionMs &&
      demoRuns.median <= limits.demoMs &&
      versionRuns.correct &&
      demoRuns.correct &&
      (pnpmScript?.correct ?? true)
    return {
      name: "startup",
      size: runs,
      startedAt,
      machine: Report.machine(),
      columns: ["what", "MiB", "runs", "median ms", "p90 ms", "min ms", "cpu ms (median)", "target ms", "correct"],
      rows,
      verdict: {
        pass,
        reason: `installed ${installedMiB.toFixed(2)} MiB (< ${limits.installedMiB}), --version median ${Math.round(versionRuns.median)} ms (<= ${limits.versionMs}), demo query median ${Math.round(demoRuns.median)} ms (<= ${limits.demoMs})`
      },
      notes: [
        "whole process, spawn to exit, on this machine (other work may share its CPUs: see p90 and min)",
        "the workspace row includes npx and pnpm starting; `node apps/cli/dist/bin.js` costs what the installed bin does"
      ]
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}
