// Preload (`node --import ./maxrss.mjs …`): writes the process's peak RSS in KiB to
// $ROSTERKIT_BENCH_MAXRSS_FILE when it exits. Used when /usr/bin/time is not installed.
import { writeFileSync } from "node:fs"
import process from "node:process"

const file = process.env.ROSTERKIT_BENCH_MAXRSS_FILE
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage()
    writeFileSync(file, `${usage.maxRSS} ${usage.userCPUTime / 1e6} ${usage.systemCPUTime / 1e6}`)
  })
}
