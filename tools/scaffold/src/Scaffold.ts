/**
 * `new-provider <name>`: writes `packages/<name>` (`@rosterkit/<name>`), a provider package that
 * builds, typechecks, lints and passes the conformance suite as generated, from the files
 * under `template/` (`__name__`, `__Name__` and `__NAME__` replaced in names and contents).
 */
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** A mistake of the person running the command: printed as one line, no stack trace. */
export class ScaffoldError extends Error {
  override readonly name = "ScaffoldError"
}

export interface Names {
  /** As typed: `acme-sis` (the folder, the package `@rosterkit/acme-sis`, the provider name). */
  readonly name: string
  /** `AcmeSis` (module names: AcmeSisClient, AcmeSisProvider). */
  readonly pascal: string
  /** `ACME_SIS` (environment variables). */
  readonly constant: string
}

const validName = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/

/** Checks a provider name and derives the other spellings; fails with a ScaffoldError saying what is allowed. */
export const names = (raw: string | undefined): Names => {
  if (raw === undefined || raw.trim() === "") {
    throw new ScaffoldError('a provider name is required, e.g. "new-provider acme"')
  }
  if (!validName.test(raw) || raw.length > 40) {
    throw new ScaffoldError(
      `"${raw}" is not a valid provider name: use lower-case letters and digits, words joined by single dashes, ` +
        'starting with a letter, at most 40 characters (e.g. "acme" or "acme-sis")'
    )
  }
  const words = raw.split("-")
  return {
    name: raw,
    pascal: words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(""),
    constant: words.map((w) => w.toUpperCase()).join("_")
  }
}

/** The template folder shipped with this tool. */
export const templateDir = fileURLToPath(new URL("../template", import.meta.url))

const exists = (file: string) =>
  fs.access(file).then(
    () => true,
    () => false
  )

/** The names of every package of the workspace (packages/*, apps/*, tools/*). */
export const workspacePackages = async (root: string): Promise<ReadonlyMap<string, string>> => {
  const found = new Map<string, string>()
  for (const group of ["packages", "apps", "tools"]) {
    const entries = await fs.readdir(path.join(root, group), { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      if (!entry.isDirectory()) continue
      const manifest = path.join(root, group, entry.name, "package.json")
      if (!(await exists(manifest))) continue
      const { name } = JSON.parse(await fs.readFile(manifest, "utf8")) as { name?: string }
      if (typeof name === "string") found.set(name, path.join(group, entry.name))
    }
  }
  return found
}

const substitute = (text: string, n: Names) =>
  text.replaceAll("__Name__", n.pascal).replaceAll("__NAME__", n.constant).replaceAll("__name__", n.name)

const copyTemplate = async (from: string, to: string, n: Names, written: Array<string>): Promise<void> => {
  await fs.mkdir(to, { recursive: true })
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name)
    const target = path.join(to, substitute(entry.name, n))
    if (entry.isDirectory()) {
      await copyTemplate(source, target, n, written)
    } else {
      await fs.writeFile(target, substitute(await fs.readFile(source, "utf8"), n), { flag: "wx" })
      written.push(target)
    }
  }
}

export interface Result {
  readonly names: Names
  /** The new package folder. */
  readonly dir: string
  /** Every file written (the package's, the changeset), absolute. */
  readonly files: ReadonlyArray<string>
}

/**
 * Writes `packages/<name>` under the workspace `root`, its LICENSE (a copy of the root one) and
 * a changeset announcing it. Refuses a bad name, an existing folder and a name any workspace
 * package already has.
 */
export const scaffold = async (options: { readonly root: string; readonly name: string | undefined }): Promise<Result> => {
  const n = names(options.name)
  const root = path.resolve(options.root)
  if (!(await exists(path.join(root, "pnpm-workspace.yaml")))) {
    throw new ScaffoldError(`${root} is not the rosterkit workspace (no pnpm-workspace.yaml); run this from the repository root`)
  }
  const dir = path.join(root, "packages", n.name)
  const taken = (await workspacePackages(root)).get(`@rosterkit/${n.name}`)
  if (taken !== undefined) throw new ScaffoldError(`@rosterkit/${n.name} already exists (${taken}); choose another name`)
  if (await exists(dir)) throw new ScaffoldError(`packages/${n.name} already exists; choose another name or remove it`)

  const files: Array<string> = []
  try {
    await copyTemplate(templateDir, dir, n, files)
    const license = path.join(root, "LICENSE")
    if (await exists(license)) {
      await fs.copyFile(license, path.join(dir, "LICENSE"))
      files.push(path.join(dir, "LICENSE"))
    }
    const changesets = path.join(root, ".changeset")
    if (await exists(changesets)) {
      const changeset = path.join(changesets, `new-provider-${n.name}.md`)
      await fs.writeFile(
        changeset,
        `---\n"@rosterkit/${n.name}": minor\n---\n\nNew provider: ${n.pascal}, read as the OneRoster 1.1 model.\n`,
        { flag: "wx" }
      )
      files.push(changeset)
    }
  } catch (error) {
    // Half a package is worse than none.
    await fs.rm(dir, { recursive: true, force: true })
    await Promise.all(files.filter((f) => !f.startsWith(dir)).map((f) => fs.rm(f, { force: true })))
    throw error
  }
  return { names: n, dir, files }
}

/**
 * Links the new package's dependencies into its node_modules the way pnpm does (workspace
 * packages to their folders, the rest to the copies a sibling provider already uses), for a
 * package that must run before `pnpm install` has seen it. Returns the names it linked.
 */
export const linkDependencies = async (root: string, dir: string, sibling = "packages/core"): Promise<ReadonlyArray<string>> => {
  const manifest = JSON.parse(await fs.readFile(path.join(dir, "package.json"), "utf8")) as {
    dependencies?: Record<string, string>
    devDependencies?: Record<string, string>
    peerDependencies?: Record<string, string>
  }
  const wanted = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.devDependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {})
  ])
  const workspace = await workspacePackages(root)
  const linked: Array<string> = []
  for (const name of wanted) {
    const local = workspace.get(name)
    const candidates = local !== undefined ? [path.join(root, local)] : [path.join(root, sibling, "node_modules", name), path.join(root, "node_modules", name)]
    let target: string | undefined
    for (const candidate of candidates) {
      if (await exists(candidate)) {
        target = await fs.realpath(candidate)
        break
      }
    }
    if (target === undefined) throw new Error(`cannot link ${name}: no installed copy under ${sibling} or the root (run pnpm install)`)
    const link = path.join(dir, "node_modules", name)
    await fs.mkdir(path.dirname(link), { recursive: true })
    await fs.symlink(target, link, "dir")
    linked.push(name)
  }
  return linked
}
