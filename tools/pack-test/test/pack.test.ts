/**
 * The packed-install test: what a user gets from the registry, checked before publishing.
 *
 * `pnpm pack` packs every publishable package (pnpm replaces `workspace:` and `catalog:`
 * ranges; `npm pack` would not), then, in empty projects under the OS temp folder (outside
 * the workspace, so nothing resolves to its node_modules):
 *
 * - the libraries are `npm install`ed from the tarballs (effect and @effect/platform, their
 *   peers, come from the registry), a strict NodeNext consumer (fixtures/consumer.ts) is
 *   compiled with tsc and run: the root README's library example against the demo loopback
 *   server must give the seed numbers;
 * - the CLI tarball is installed with `--omit=dev`: no test tooling, under 40 MB, and the
 *   installed bin answers `--version`, `users --count` (139) and an export / CSV round trip.
 *
 * Speed is measured by tools/bench (`startup`), never asserted here.
 */
import * as DemoDistrict from "@rosterkit/demo/DemoDistrict"
import * as Dataset from "@rosterkit/demo/Dataset"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "..", "..", "..")
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc")

interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly [key: string]: unknown
}

const readJson = (file: string): Manifest => JSON.parse(fs.readFileSync(file, "utf8")) as Manifest

/**
 * The package folders of the workspace: each `<dir>/*` glob of pnpm-workspace.yaml's `packages`
 * list, its folders holding a package.json (tools/scaffold's test creates throwaway
 * packages/scaffold-check-* while it runs: not packages of the workspace).
 */
const workspaceFolders = (): ReadonlyArray<string> => {
  const yaml = fs.readFileSync(path.join(root, "pnpm-workspace.yaml"), "utf8")
  const list = /^packages:\s*\n((?:[ \t]+-[^\n]*\n?)+)/m.exec(yaml)?.[1] ?? ""
  const globs = [...list.matchAll(/-\s*["']?([^"'\s]+)["']?/g)].map((m) => m[1]!)
  return globs.flatMap((glob) => {
    if (!glob.endsWith("/*")) return fs.existsSync(path.join(root, glob, "package.json")) ? [glob] : []
    const parent = glob.slice(0, -2)
    return fs
      .readdirSync(path.join(root, parent))
      .filter((dir) => !dir.startsWith("scaffold-check-") && fs.existsSync(path.join(root, parent, dir, "package.json")))
      .map((dir) => path.posix.join(parent, dir))
  })
}

/** Package name -> its folder, for every package of the workspace. */
const folders = new Map(workspaceFolders().map((dir) => [readJson(path.join(root, dir, "package.json")).name, dir] as const))

/**
 * The packages this test packs: every package of the workspace that is not private, found by
 * reading the workspace — a new package (`new-provider acme`) is packed and checked without
 * being listed anywhere. (Nx builds every project before this test: `dependsOn` all projects'
 * `build` in package.json.)
 */
const published = [...folders].filter(([, dir]) => readJson(path.join(root, dir, "package.json")).private !== true).map(([name]) => name)

/** Child processes get no npm/pnpm settings of the workspace run (npm_config_*, pnpm's own), and no colours (Nx sets FORCE_COLOR). */
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|VITEST|NODE_OPTIONS$|ROSTERKIT_|FORCE_COLOR$)/i.test(key)) env[key] = value
  }
  return { ...env, NO_COLOR: "1", npm_config_update_notifier: "false" }
}

interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const run = (command: string, args: ReadonlyArray<string>, cwd: string, env: Readonly<Record<string, string>> = {}): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...cleanEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] })
    const out: Array<Buffer> = []
    const err: Array<Buffer> = []
    child.stdout.on("data", (b: Buffer) => out.push(b))
    child.stderr.on("data", (b: Buffer) => err.push(b))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") }))
  })

/** Runs a command that must succeed; its output on failure. */
const must = async (command: string, args: ReadonlyArray<string>, cwd: string): Promise<string> => {
  const result = await run(command, args, cwd)
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited ${result.code}\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

const npx = process.platform === "win32" ? "npx.cmd" : "npx"
const npm = process.platform === "win32" ? "npm.cmd" : "npm"

/** Every file under `dir` (no symlinks followed), with its size. */
const walk = (dir: string): Array<{ readonly file: string; readonly size: number }> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) return walk(full)
    return [{ file: full, size: fs.lstatSync(full).size }]
  })

/** Package folders under a node_modules tree (scoped names included), at any depth. */
const installedPackages = (nodeModules: string): Array<string> =>
  walk(nodeModules)
    .filter(({ file }) => path.basename(file) === "package.json")
    .map(({ file }) => path.relative(nodeModules, path.dirname(file)).split(path.sep))
    .filter((parts) => parts.length >= 1 && parts.at(-2) !== "dist")
    .map((parts) => {
      const at = parts.lastIndexOf("node_modules")
      const rest = at === -1 ? parts : parts.slice(at + 1)
      return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1]}` : (rest[0] ?? "")
    })

const writeJson = (file: string, value: unknown) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`)

let work = ""
const tarballs = new Map<string, string>()
const manifests = new Map<string, Manifest>()
const contents = new Map<string, ReadonlyArray<string>>()

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "rosterkit-pack-"))
  const out = path.join(work, "tarballs")
  fs.mkdirSync(out)
  await must(npx, ["-y", "pnpm@10", "-r", ...published.flatMap((name) => ["--filter", name]), "pack", "--pack-destination", out], root)
  for (const name of published) {
    const file = path.join(out, `${name.replace(/^@/, "").replace("/", "-")}-${readJson(path.join(root, workspaceDir(name), "package.json")).version}.tgz`)
    expect(fs.existsSync(file), `${name} was packed to ${file}`).toBe(true)
    tarballs.set(name, file)
    manifests.set(name, JSON.parse(await must("tar", ["-xzOf", file, "package/package.json"], work)) as Manifest)
    contents.set(
      name,
      (await must("tar", ["-tzf", file], work))
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.replace(/^package\//, ""))
    )
  }
})

afterAll(() => {
  if (work !== "" && process.env["PACK_TEST_KEEP"] === undefined) fs.rmSync(work, { recursive: true, force: true })
})

/** The workspace folder of a package. */
function workspaceDir(name: string): string {
  const dir = folders.get(name)
  if (dir === undefined) throw new Error(`no workspace package named ${name}`)
  return dir
}

describe("pnpm pack", () => {
  it("packs every publishable package of the workspace, found by reading it", () => {
    // The libraries and the CLI are among them; tools and the test kit's consumers are private.
    for (const name of ["@rosterkit/core", "@rosterkit/oneroster", "@rosterkit/classlink", "@rosterkit/clever", "@rosterkit/csv", "@rosterkit/cli"]) {
      expect(published, name).toContain(name)
    }
    expect(published).not.toContain("@rosterkit/pack-test")
    expect(published).not.toContain("@rosterkit/scaffold")
    for (const name of published) expect(workspaceDir(name), name).toMatch(/^(packages|apps)\//)
    expect([...tarballs.keys()].sort()).toEqual([...published].sort())
  })

  it("leaves no workspace: or catalog: range in a tarball, and declares the registry fields", () => {
    for (const [name, manifest] of manifests) {
      const text = JSON.stringify(manifest)
      expect(text, name).not.toMatch(/"(workspace|catalog):/)
      const dir = workspaceDir(name)
      expect(manifest["repository"], name).toEqual({ type: "git", url: "git+https://github.com/rosterkit/rosterkit.git", directory: dir })
      expect(manifest["homepage"], name).toBe(`https://github.com/rosterkit/rosterkit/tree/main/${dir}#readme`)
      expect(manifest["bugs"], name).toEqual({ url: "https://github.com/rosterkit/rosterkit/issues" })
      expect(manifest["publishConfig"], name).toEqual({ access: "public" })
      expect((manifest["keywords"] as ReadonlyArray<string>).length, name).toBeGreaterThan(0)
      expect(manifest["license"], name).toBe("MIT")
      expect(contents.get(name), name).toContain("README.md")
    }
  })

  it("points exports, types and bin at files in the tarball", () => {
    for (const [name, manifest] of manifests) {
      const files = new Set(contents.get(name))
      const exports = (manifest["exports"] ?? {}) as Record<string, unknown>
      expect(Object.keys(exports).length, `${name} has exports`).toBeGreaterThan(0)
      for (const [subpath, target] of Object.entries(exports)) {
        if (target === null) continue
        const targets = typeof target === "string" ? { default: target } : (target as Record<string, string>)
        for (const [condition, file] of Object.entries(targets)) {
          if (condition === "@rosterkit/source") continue // the workspace's own condition
          const relative = file.replace(/^\.\//, "")
          if (!subpath.includes("*")) {
            expect(files.has(relative), `${name} exports ${subpath} (${condition}) -> ${file}`).toBe(true)
            continue
          }
          // "./*": every public source module has its target.
          const modules = [...files].filter((f) => /^src\/[A-Za-z]+\.ts$/.test(f)).map((f) => f.slice(4, -3))
          expect(modules.length, `${name} has modules`).toBeGreaterThan(0)
          for (const module of modules) expect(files.has(relative.replace("*", module)), `${name} ${subpath} -> ${file} for ${module}`).toBe(true)
        }
      }
      for (const field of ["main", "types"]) {
        const file = manifest[field]
        if (typeof file === "string") expect(files.has(file.replace(/^\.\//, "")), `${name} ${field} ${file}`).toBe(true)
      }
      for (const bin of Object.values((manifest["bin"] ?? {}) as Record<string, string>)) {
        expect(files.has(bin.replace(/^\.\//, "")), `${name} bin ${bin}`).toBe(true)
      }
      expect([...files].some((f) => f.endsWith(".tsbuildinfo") || f.startsWith("test/")), `${name} ships no build state or tests`).toBe(false)
    }
  })

  it("gives the CLI no runtime dependencies and no importable module", () => {
    const cli = manifests.get("@rosterkit/cli")!
    expect(cli["dependencies"] ?? {}).toEqual({})
    expect(cli["peerDependencies"] ?? {}).toEqual({})
    expect(cli["exports"]).toEqual({ "./package.json": "./package.json" })
  })
})

describe("the libraries, installed with npm outside the workspace", () => {
  const libraries = ["@rosterkit/core", "@rosterkit/oneroster", "@rosterkit/classlink", "@rosterkit/clever", "@rosterkit/csv", "@rosterkit/demo", "@rosterkit/config"]
  let project = ""
  let result: {
    users: Array<string>
    teachers: Array<string>
    seed: Record<string, number>
    expected: Record<string, number>
    effectTeachers: Array<string>
    configurationError: string
    modules: Record<string, unknown>
  }

  beforeAll(async () => {
    project = path.join(work, "library")
    fs.mkdirSync(project)
    writeJson(path.join(project, "package.json"), { name: "consumer", version: "1.0.0", private: true, type: "module" })
    // As the READMEs' install lines: effect pinned to its 3.x line (npm's latest is 4.x).
    await must(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error", ...libraries.map((name) => tarballs.get(name)!), "effect@3", "@effect/platform@0.97"], project)
    fs.copyFileSync(path.join(here, "..", "fixtures", "consumer.ts"), path.join(project, "consumer.ts"))
    writeJson(path.join(project, "tsconfig.json"), {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2022"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: false,
        outDir: "out",
        types: ["node"],
        // @types/node is the workspace's, so the consumer needs no second download.
        typeRoots: [path.join(root, "node_modules", "@types")]
      },
      files: ["consumer.ts"]
    })
    await must(process.execPath, [tsc, "-p", "tsconfig.json"], project)
    const output = await must(process.execPath, ["out/consumer.js"], project)
    result = JSON.parse(output) as typeof result
  })

  it("installs without the workspace and compiles a strict NodeNext consumer of every public module", () => {
    expect(fs.realpathSync(project).startsWith(fs.realpathSync(root))).toBe(false)
    for (const name of libraries) expect(fs.existsSync(path.join(project, "node_modules", name, "package.json")), name).toBe(true)
    expect(fs.existsSync(path.join(project, "out", "consumer.js"))).toBe(true)
    expect(result.modules).toEqual({
      CleverConnector: "function",
      CleverProvider: "function",
      OneRosterProvider: "function",
      CsvProvider: "function",
      CsvExport: "object",
      Providers: "demo,oneroster,classlink,clever,csv",
      Settings: "function",
      RosterProvider: "function",
      RosterError: "function",
      Dataset: true
    })
  })

  it("runs the README's library example against the demo loopback server: the seed numbers", () => {
    const district = DemoDistrict.demoDistrict
    expect(result.expected).toEqual(DemoDistrict.seedNumbers)
    expect(result.users).toHaveLength(DemoDistrict.seedNumbers.ela6Sections)
    const { ela6Sections, students, class31763, highSchool, middleSchool } = DemoDistrict.seedNumbers
    expect(result.seed).toEqual({ students, ela6Sections, class31763, highSchool, middleSchool })
    const teachers = Dataset.byKind(district, "teachers").map((u) => u.sourcedId)
    expect([...result.teachers].sort()).toEqual([...teachers].sort())
    const school = Dataset.byKind(district, "schools").find((org) => org.name === "Classlink HS")!
    const schoolTeachers = Dataset.membersOf(district, "schools", school.sourcedId, "teachers").map((u) => u.sourcedId)
    expect(schoolTeachers.length).toBeGreaterThan(0)
    expect([...result.effectTeachers].sort()).toEqual([...schoolTeachers].sort())
    expect(result.configurationError).toBe("ConfigurationError")
  })

  it("runs the example each library README opens with, printing what its comments say", async () => {
    // csv's example reads a set the CLI exports (the workspace's build of the same bundle).
    await must(process.execPath, [path.join(root, "apps", "cli", "dist", "bin.js"), "export", "--out", "district.zip", "--quiet"], project)
    for (const pkg of ["core", "oneroster", "classlink", "clever", "csv", "demo"]) {
      const readme = fs.readFileSync(path.join(root, "packages", pkg, "README.md"), "utf8")
      const blocks = [...readme.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1]!, code: m[2]! }))
      expect(blocks[0]?.lang, `${pkg} README opens with its install line`).toBe("sh")
      expect(blocks[0]?.code, pkg).toMatch(new RegExp(`^npm install @rosterkit/${pkg} `))
      const example = blocks[1]!
      expect(["js", "ts"], `${pkg} README's second block is the example`).toContain(example.lang)
      const file = path.join(project, `readme-${pkg}.mjs`)
      fs.writeFileSync(file, example.code)
      const ran = await run(process.execPath, [file], project)
      expect(ran.code, `${pkg}: ${ran.stderr}`).toBe(0)
      const expected = [...example.code.matchAll(/console\.log\(.*\) \/\/ (.*)$/gm)].map((m) => m[1])
      if (expected.length > 0) expect(ran.stdout.trim().split("\n"), pkg).toEqual(expected)
    }
  })
})

describe("the CLI, installed with npm --omit=dev outside the workspace", () => {
  let project = ""
  let bin = ""

  beforeAll(async () => {
    project = path.join(work, "cli")
    fs.mkdirSync(project)
    writeJson(path.join(project, "package.json"), { name: "cli-user", version: "1.0.0", private: true })
    await must(npm, ["install", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error", tarballs.get("@rosterkit/cli")!], project)
    bin = path.join(project, "node_modules", ".bin", "rosterkit")
  })

  it("installs no test or build tooling, in under 40 MB", () => {
    const packages = new Set(installedPackages(path.join(project, "node_modules")))
    expect(packages.has("@rosterkit/cli")).toBe(true)
    for (const tool of ["vitest", "vite", "rollup", "esbuild", "msw", "@effect/vitest", "typescript", "tsx"]) expect(packages.has(tool), tool).toBe(false)
    const bytes = walk(path.join(project, "node_modules")).reduce((sum, { size }) => sum + size, 0)
    expect(bytes).toBeLessThan(40 * 1024 * 1024)
  })

  it("answers --version from the installed bin", async () => {
    const version = await run(bin, ["--version"], project)
    expect(version).toEqual({ code: 0, stdout: `${manifests.get("@rosterkit/cli")!.version}\n`, stderr: "" })
  })

  it("runs the demo query from the installed bin: 139 students", async () => {
    const count = await run(bin, ["users", "--count"], project)
    expect(count.code).toBe(0)
    expect(count.stdout).toBe("139\n")
    expect(count.stderr).toContain("reading the demo district")
  })

  it("loads its command tree through the V8 code cache the build trained (same Node as the build)", async () => {
    const files = contents.get("@rosterkit/cli")!
    expect(files).toEqual(expect.arrayContaining(["dist/bin.js", "dist/program.cjs", "dist/program.cjs.v8cache"]))
    const count = await run(bin, ["users", "--count"], project, { ROSTERKIT_DEBUG: "1" })
    expect(count.code).toBe(0)
    expect(count.stdout).toBe("139\n")
    expect(count.stderr).toContain("rosterkit: debug: V8 code cache used (")
  })

  it("exports the demo district as a zip and reads it back with --provider csv (the bundled CommonJS zip and CSV libraries)", async () => {
    const exported = await run(bin, ["export", "--out", "district.zip", "--quiet"], project)
    expect(exported.code, exported.stderr).toBe(0)
    expect(fs.statSync(path.join(project, "district.zip")).size).toBeGreaterThan(1000)
    const count = await run(bin, ["users", "--provider", "csv", "--path", "district.zip", "--group", "classes", "--name", "ELA 6 (6A ELA)", "--count"], project)
    expect(count).toMatchObject({ code: 0, stdout: "7\n" })
  })

  it("is not a library: importing it fails with a clear error", async () => {
    const imported = await run(process.execPath, ["--input-type=module", "-e", "import('@rosterkit/cli').catch((e) => { console.log(e.code); })"], project)
    expect(imported.stdout.trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED")
  })
})
