import * as fs from "node:fs"
import * as path from "node:path"
import { defineConfig } from "vitest/config"

/**
 * With CI_TEST_REPORT_DIR set (by .ci/run), each package's run also writes a JSON report there,
 * named after the package (and a `.errors.json` when errors happened outside the tests), which
 * .ci/summary.mjs sums into one line.
 */
const reportDir = process.env["CI_TEST_REPORT_DIR"]
const packageName = (): string => {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as { readonly name?: unknown }
    if (typeof pkg.name === "string") return pkg.name.replace(/^@/, "").replace(/\//g, "-")
  } catch {
    // not a package folder
  }
  return path.basename(process.cwd())
}
/** Writes `<package>.errors.json` when a run had errors outside its tests (the JSON report leaves them out). */
const unhandledErrors = (dir: string) => ({
  onTestRunEnd: (_modules: unknown, errors: ReadonlyArray<unknown> = []) => {
    if (errors.length > 0) {
      // Serialized errors (plain objects, some without a prototype): keep their message.
      const messages = errors.map((error) =>
        typeof error === "object" && error !== null && "message" in error ? String(error.message) : JSON.stringify(error)
      )
      fs.mkdirSync(dir, { recursive: true })
      fs.writeFileSync(path.join(dir, `${packageName()}.errors.json`), JSON.stringify({ errors: errors.length, messages }))
    }
  }
})
const reports =
  reportDir === undefined || reportDir === ""
    ? {}
    : { reporters: ["default", "json", unhandledErrors(reportDir)], outputFile: { json: path.join(reportDir, `${packageName()}.json`) } }

/**
 * Shared vitest settings: workspace packages resolve to their TypeScript sources.
 * No "import" condition: vitest hands these to Node as --conditions, which also applies them to
 * require(), and CommonJS packages (yazl -> buffer-crc32) would then load their ESM builds.
 */
export default defineConfig({
  resolve: { conditions: ["@rosterkit/source", "module", "node", "default"] },
  ssr: { resolve: { conditions: ["@rosterkit/source", "module", "node", "default"] } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    ...reports
  }
})
