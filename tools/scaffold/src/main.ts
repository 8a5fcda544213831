/**
 * `npx -y pnpm@10 new-provider <name> [--skip-install]`: scaffolds packages/<name> and links it
 * into the workspace (`pnpm install --prefer-offline`: the packages are all in the store already; pnpm
 * may still ask the registry for their metadata).
 */
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import * as Scaffold from "./Scaffold.js"

const usage = "usage: new-provider <name> [--skip-install]   e.g. new-provider acme"

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(usage)
    return 0
  }
  const unknown = argv.filter((a) => a.startsWith("-") && a !== "--skip-install")
  if (unknown.length > 0) throw new Scaffold.ScaffoldError(`unknown option ${unknown.join(", ")}\n${usage}`)
  const positional = argv.filter((a) => !a.startsWith("-"))
  if (positional.length > 1) {
    throw new Scaffold.ScaffoldError(`one name at a time, got ${positional.map((p) => `"${p}"`).join(" ")} (quote nothing; use dashes)`)
  }
  // pnpm runs root scripts in the workspace root.
  const root = process.cwd()
  const result = await Scaffold.scaffold({ root, name: positional[0] })
  const relative = path.relative(root, result.dir)
  console.log(`created ${relative} (@rosterkit/${result.names.name}):`)
  for (const file of result.files) console.log(`  ${path.relative(root, file)}`)

  if (!argv.includes("--skip-install")) {
    // Under `pnpm new-provider`, npm_execpath is pnpm itself; otherwise fetch pnpm 10 through npx.
    const pnpm = process.env["npm_execpath"]
    const [command, args] =
      pnpm !== undefined && /pnpm/.test(pnpm)
        ? [process.execPath, [pnpm, "install", "--prefer-offline"]]
        : ["npx", ["-y", "pnpm@10", "install", "--prefer-offline"]]
    console.log(`\nlinking it into the workspace: pnpm install --prefer-offline`)
    const run = spawnSync(command, args, { cwd: root, stdio: "inherit" })
    if (run.status !== 0) {
      console.error(`\npnpm install failed; run "npx -y pnpm@10 install" yourself, then carry on below.`)
    }
  }
  console.log(`
next:
  cd ${relative} && npx vitest run     # the conformance suite passes as generated
  then make ${result.names.pascal}Client speak ${result.names.pascal}'s API (CONTRIBUTING.md, "Add a provider"),
  add its line to packages/config/src/Providers.ts, and describe the change in .changeset/new-provider-${result.names.name}.md`)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof Scaffold.ScaffoldError) {
      console.error(`new-provider: ${error.message}`)
      process.exit(2)
    }
    console.error(error)
    process.exit(1)
  }
)
