// Sums the vitest JSON reports in a folder (one per package run) into one line:
// "N passed, N failed, N skipped". Exits 1 when a test or a test file failed, a run had errors
// outside its tests, or there is no report.
import * as fs from "node:fs"
import * as path from "node:path"
import process from "node:process"

const dir = process.argv[2]
if (dir === undefined) {
  process.stderr.write("usage: summary.mjs REPORT_DIR\n")
  process.exit(2)
}
const all = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []
const errorFiles = all.filter((name) => name.endsWith(".errors.json"))
const files = all.filter((name) => name.endsWith(".json") && !name.endsWith(".errors.json"))
let passed = 0
let failed = 0
let skipped = 0
let broken = 0
for (const file of files) {
  const report = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"))
  passed += report.numPassedTests
  failed += report.numFailedTests
  skipped += report.numPendingTests + report.numTodoTests
  // A test file that failed to load has no failed test but a failed suite.
  const brokenFiles = report.testResults.filter((suite) => suite.status === "failed" && suite.assertionResults.every((test) => test.status !== "failed"))
  broken += brokenFiles.length
  for (const suite of brokenFiles) process.stdout.write(`${file.replace(/\.json$/, "")}: ${path.basename(suite.name)} failed to run: ${String(suite.message).split("\n")[0]}\n`)
}
// Errors outside any test (an unhandled rejection, a worker RPC that timed out) fail the run too:
// each run with some counts as one failure.
for (const file of errorFiles) {
  const { errors, messages } = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"))
  broken += 1
  process.stdout.write(`${file.replace(/\.errors\.json$/, "")}: ${errors} error(s) outside the tests: ${String(messages[0]).split("\n")[0]}\n`)
}
if (files.length === 0) process.stdout.write(`no test reports in ${dir}\n`)
process.stdout.write(`${passed} passed, ${failed + broken} failed, ${skipped} skipped\n`)
process.exit(failed + broken > 0 || files.length === 0 ? 1 : 0)
