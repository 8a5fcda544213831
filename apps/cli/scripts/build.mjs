/**
 * Builds the `rosterkit` bin: src/bin.ts bundled by esbuild into dist/ with every dependency
 * inside (effect, @effect/*, the workspace packages from their TypeScript sources, csv-parse,
 * yauzl, …), so the published package has no runtime dependencies.
 *
 * - ESM for Node 20, with code splitting: dist/bin.js is tiny and answers `--version`; the
 *   command tree and each provider / the demo server are chunks under dist/chunks/, loaded by
 *   the source's `import()`s only when a command needs them.
 * - CommonJS dependencies (csv-parse's callbacks, yauzl, oauth-1.0a) get a `require` made with
 *   createRequire in each output file.
 * - dist/THIRD-PARTY-LICENSES.md lists every bundled package with its license text.
 *
 * Usage: node scripts/build.mjs [--outdir DIR]   (default dist/; from anywhere; the root
 * `prepare` script runs it on install)
 */
import * as esbuild from "esbuild"
import * as fs from "node:fs"
import * as path from "node:path"
import process from "node:process"
import { fileURLToPath } from "node:url"

const cliDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const outdirFlag = process.argv.indexOf("--outdir")
const outdir = outdirFlag === -1 ? path.join(cliDir, "dist") : path.resolve(process.argv[outdirFlag + 1] ?? "dist")

fs.rmSync(outdir, { recursive: true, force: true })

const result = await esbuild.build({
  absWorkingDir: cliDir,
  entryPoints: { bin: "src/bin.ts" },
  outdir,
  bundle: true,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  format: "esm",
  platform: "node",
  target: "node20",
  // Workspace packages are bundled from their sources (no tsc build needed first).
  conditions: ["@rosterkit/source"],
  minify: true,
  keepNames: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  banner: { js: "import { createRequire as __rosterkitRequire } from 'node:module'; const require = __rosterkitRequire(import.meta.url);" }
})

fs.chmodSync(path.join(outdir, "bin.js"), 0o755)

/** The package folder (nearest package.json with a name) of a bundled file. */
const packageOf = (file) => {
  let dir = path.dirname(fs.realpathSync(path.resolve(cliDir, file)))
  for (;;) {
    const manifest = path.join(dir, "package.json")
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, "utf8"))
      if (typeof pkg.name === "string" && typeof pkg.version === "string") return { dir, pkg }
    }
    const parent = path.dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

const packages = new Map()
for (const input of Object.keys(result.metafile.inputs)) {
  const found = packageOf(input)
  if (found !== undefined && found.pkg.name !== "@rosterkit/cli") packages.set(`${found.pkg.name}@${found.pkg.version}`, found)
}
const licenseText = (dir) => {
  const file = fs.readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name))
  return file === undefined ? undefined : fs.readFileSync(path.join(dir, file), "utf8").trim()
}
const sections = [...packages.entries()]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([id, { dir, pkg }]) => {
    const text = licenseText(dir) ?? (pkg.name.startsWith("@rosterkit/") ? licenseText(path.resolve(cliDir, "..", "..")) : undefined)
    return `## ${id}\n\nLicense: ${pkg.license ?? "see the package"}\n${text === undefined ? "" : `\n\`\`\`\n${text}\n\`\`\`\n`}`
  })
fs.writeFileSync(
  path.join(outdir, "THIRD-PARTY-LICENSES.md"),
  `# Bundled packages\n\nThe dist/ folder of @rosterkit/cli bundles the following packages.\n\n${sections.join("\n")}`
)

const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0)
process.stdout.write(`rosterkit: built ${path.relative(process.cwd(), path.join(outdir, "bin.js"))} and ${Object.keys(result.metafile.outputs).length - 1} chunks (${(bytes / 1024).toFixed(0)} KiB, ${packages.size} bundled packages)\n`)
