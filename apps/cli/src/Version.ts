/**
 * The CLI's version, read from the nearest package.json named @rosterkit/cli above this module
 * (src/, dist/, a chunk of the bundle or a test bundle). Imports nothing but node builtins, so
 * `rosterkit --version` can answer before the command tree loads.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const version: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as { readonly name?: unknown; readonly version?: unknown }
      if (pkg.name === "@rosterkit/cli" && typeof pkg.version === "string") return pkg.version
    } catch {
      // no package.json here
    }
    const parent = path.dirname(dir)
    if (parent === dir) return "0.0.0"
    dir = parent
  }
})()
