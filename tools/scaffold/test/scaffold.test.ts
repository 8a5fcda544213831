/**
 * new-provider end to end: scaffolds a throwaway provider into the workspace, links it like pnpm
 * would, and runs the generated package's own typecheck, lint and tests (the conformance suite
 * over the fake server). The package and its changeset are removed afterwards, also on failure;
 * the name carries the pid and a random part, so concurrent runs cannot collide.
 */
import { spawnSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import * as Scaffold from "../src/Scaffold.js"

const root = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..")
const bin = (name: string) => path.join(root, "node_modules", ".bin", name)
const main = path.join(root, "tools/scaffold/src/main.ts")

const run = (command: string, args: ReadonlyArray<string>, cwd: string) => {
  const env: NodeJS.ProcessEnv = { ...process.env, NX_DAEMON: "false", NO_COLOR: "1" }
  delete env["FORCE_COLOR"]
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env })
  // eslint-disable-next-line no-control-regex
  return { status: result.status, output: `${result.stdout}${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, "") }
}

const throwaway = `scaffold-check-${process.pid}-${randomBytes(3).toString("hex")}`
const created = new Set<string>()
const cleanUp = () => {
  for (const file of created) fs.rmSync(file, { recursive: true, force: true })
}
afterAll(cleanUp)
process.once("exit", cleanUp)

describe("names", () => {
  it("derives the module and environment spellings", () => {
    expect(Scaffold.names("acme")).toEqual({ name: "acme", pascal: "Acme", constant: "ACME" })
    expect(Scaffold.names("acme-sis2")).toEqual({ name: "acme-sis2", pascal: "AcmeSis2", constant: "ACME_SIS2" })
  })

  it("refuses names that cannot be a package, saying what is allowed", () => {
    for (const bad of ["Acme Co", "Acme", "acme_sis", "1acme", "acme-", "acme--sis", "@rosterkit/acme", "../acme", ""]) {
      expect(() => Scaffold.names(bad), bad).toThrow(Scaffold.ScaffoldError)
    }
    expect(() => Scaffold.names("Acme Co")).toThrow(/"Acme Co" is not a valid provider name: use lower-case letters/)
  })
})

describe("new-provider", () => {
  it("refuses an existing package, in packages/ or anywhere in the workspace", async () => {
    await expect(Scaffold.scaffold({ root, name: "clever" })).rejects.toThrow("@rosterkit/clever already exists (packages/clever)")
    await expect(Scaffold.scaffold({ root, name: "cli" })).rejects.toThrow("@rosterkit/cli already exists (apps/cli)")
    expect(fs.existsSync(path.join(root, ".changeset/new-provider-clever.md"))).toBe(false)
  })

  it("answers a bad name with one line and exit code 2, no stack trace", () => {
    const result = run(bin("tsx"), [main, "Acme Co"], root)
    expect(result.status).toBe(2)
    expect(result.output.trim()).toMatch(/^new-provider: "Acme Co" is not a valid provider name: .*\(e\.g\. "acme" or "acme-sis"\)$/)
    expect(result.output).not.toMatch(/\n\s+at /)
    expect(fs.existsSync(path.join(root, "packages", "Acme Co"))).toBe(false)
  })

  it(
    "generates a package whose typecheck, lint and conformance tests pass as generated",
    () => {
      const dir = path.join(root, "packages", throwaway)
      created.add(dir)
      created.add(path.join(root, ".changeset", `new-provider-${throwaway}.md`))

      const scaffolded = run(bin("tsx"), [main, throwaway, "--skip-install"], root)
      expect(scaffolded.output).toContain(`created packages/${throwaway} (@rosterkit/${throwaway})`)
      expect(scaffolded.status).toBe(0)
      const pascal = Scaffold.names(throwaway).pascal
      for (const file of [`src/${pascal}Client.ts`, `src/${pascal}Provider.ts`, "src/index.ts", `test/${pascal}Provider.test.ts`, "README.md", "LICENSE"]) {
        expect(fs.existsSync(path.join(dir, file)), file).toBe(true)
      }
      const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as Record<string, unknown>
      expect(manifest["name"]).toBe(`@rosterkit/${throwaway}`)
      // The packaging fields of the real providers (what the packed-install test checks), with its own folder.
      const clever = JSON.parse(fs.readFileSync(path.join(root, "packages/clever/package.json"), "utf8")) as Record<string, unknown>
      const own = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll("packages/clever", `packages/${throwaway}`)) as unknown
      for (const field of ["repository", "homepage", "bugs", "license", "type", "engines", "main", "types", "exports", "files", "publishConfig", "scripts", "peerDependencies"]) {
        expect(manifest[field], field).toStrictEqual(own(clever[field]))
      }
      expect(manifest["keywords"]).toContain(throwaway)
      expect(fs.readFileSync(path.join(dir, `src/${pascal}Provider.ts`), "utf8")).not.toMatch(/__name__|__Name__|__NAME__/)

      // What pnpm install would do for a new workspace package, without touching the lockfile.
      return Scaffold.linkDependencies(root, dir).then((linked) => {
        expect(linked).toContain("@rosterkit/testkit")

        const typecheck = run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"], dir)
        expect(typecheck.output).toBe("")
        expect(typecheck.status).toBe(0)

        const lint = run(bin("eslint"), ["src", "test"], dir)
        expect(lint.output).toBe("")
        expect(lint.status).toBe(0)

        const tests = run(bin("vitest"), ["run", "--reporter=verbose"], dir)
        expect(tests.output).toMatch(/Tests\s+\d+ passed/)
        expect(tests.output).not.toMatch(/failed/)
        expect(tests.output).toContain(`${throwaway} conformance > entities`)
        expect(tests.output).toContain(`${throwaway} conformance > auth`)
        expect(tests.status).toBe(0)
      })
    },
    600_000
  )
})
