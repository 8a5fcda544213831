/**
 * Plain-Node access to a CSV set: list the CSV files of a folder or a .zip, open one as a byte
 * stream (zip entries through yauzl, one entry at a time), and parse it with csv-parse into
 * batches of rows with their line numbers. Errors are thrown as `FileError`; CsvSource turns
 * them into RosterErrors at the boundary.
 */
import { parse } from "csv-parse"
import * as fs from "node:fs"
import * as path from "node:path"
import { pipeline, type Readable } from "node:stream"
import yauzl from "yauzl"

/** A failure with where it happened; `kind` picks the RosterError it becomes. */
export class FileError extends Error {
  constructor(
    readonly kind: "config" | "decode",
    /** e.g. "users.csv line 12 column role" */
    readonly where: string,
    readonly detail: string,
    readonly record?: string
  ) {
    super(`${where}: ${detail}`)
  }
}

/** A folder or a zip of CSV files. `files` maps a lower-cased file name to its entry name. */
export interface SetFiles {
  readonly path: string
  readonly kind: "directory" | "zip"
  readonly files: ReadonlyMap<string, string>
}

const openZip = (file: string): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (error, zip) => (error ? reject(error) : resolve(zip)))
  )

/** Walks a zip's central directory (no entry data is read). */
const zipEntries = (zip: yauzl.ZipFile, onEntry: (entry: yauzl.Entry) => boolean): Promise<void> =>
  new Promise((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      if (onEntry(entry)) zip.readEntry()
      else resolve()
    })
    zip.on("end", () => resolve())
    zip.on("error", reject)
    zip.readEntry()
  })

const isJunk = (name: string) => name.startsWith("__MACOSX/") || path.posix.basename(name).startsWith("._")

/**
 * Lists the CSV files of `location`: a folder (its own files, not subfolders) or a zip (the
 * folder holding manifest.csv, else the root, else the only folder with CSV files).
 */
export const list = async (location: string): Promise<SetFiles> => {
  let stat: fs.Stats
  try {
    stat = await fs.promises.stat(location)
  } catch (error) {
    throw new FileError("config", location, `cannot read: ${message(error)}`)
  }
  if (stat.isDirectory()) {
    const names = (await fs.promises.readdir(location)).filter((n) => n.toLowerCase().endsWith(".csv"))
    return { path: location, kind: "directory", files: new Map(names.map((n) => [n.toLowerCase(), n])) }
  }
  let zip: yauzl.ZipFile
  try {
    zip = await openZip(location)
  } catch (error) {
    throw new FileError("config", location, `not a folder or a readable .zip: ${message(error)}`)
  }
  const csvs: Array<string> = []
  try {
    await zipEntries(zip, (entry) => {
      if (!entry.fileName.endsWith("/") && entry.fileName.toLowerCase().endsWith(".csv") && !isJunk(entry.fileName)) {
        csvs.push(entry.fileName)
      }
      return true
    })
  } catch (error) {
    throw new FileError("config", location, `unreadable zip: ${message(error)}`)
  } finally {
    zip.close()
  }
  const manifests = csvs.filter((n) => path.posix.basename(n).toLowerCase() === "manifest.csv")
  if (manifests.length > 1) throw new FileError("config", location, `the zip holds several manifest.csv files: ${manifests.join(", ")}`)
  const dirs = new Set(csvs.map((n) => path.posix.dirname(n)))
  const dir = manifests.length === 1 ? path.posix.dirname(manifests[0]!) : dirs.has(".") || dirs.size !== 1 ? "." : [...dirs][0]!
  const files = new Map<string, string>()
  for (const name of csvs) if (path.posix.dirname(name) === dir) files.set(path.posix.basename(name).toLowerCase(), name)
  return { path: location, kind: "zip", files }
}

/** Opens one file of the set as a byte stream; `release` closes what it opened. */
const openFile = async (set: SetFiles, name: string): Promise<{ readonly stream: Readable; readonly release: () => void }> => {
  if (set.kind === "directory") {
    const stream = fs.createReadStream(path.join(set.path, name))
    return { stream, release: () => stream.destroy() }
  }
  const zip = await openZip(set.path)
  try {
    let found: yauzl.Entry | undefined
    await zipEntries(zip, (entry) => {
      if (entry.fileName === name) found = entry
      return found === undefined
    })
    if (found === undefined) throw new Error(`${name} is not in the zip`)
    const entry = found
    const stream = await new Promise<Readable>((resolve, reject) =>
      zip.openReadStream(entry, (error, s) => (error ? reject(error) : resolve(s)))
    )
    return {
      stream,
      release: () => {
        stream.destroy()
        zip.close()
      }
    }
  } catch (error) {
    zip.close()
    throw error
  }
}

/** One parsed CSV record and the line it starts on (1-based). */
export interface Row {
  readonly cells: ReadonlyArray<string>
  readonly line: number
}

const batchSize = 1024

/**
 * The rows of one file, header first, in batches. Streams: csv-parse sees the bytes as they
 * are read, and the file is closed when iteration ends or is abandoned. BOM, CRLF / LF and
 * blank lines are handled by csv-parse; a record whose cell count differs is left to the caller.
 */
export async function* rows(set: SetFiles, name: string, label: string): AsyncGenerator<ReadonlyArray<Row>> {
  let opened: { readonly stream: Readable; readonly release: () => void }
  try {
    opened = await openFile(set, name)
  } catch (error) {
    throw new FileError("config", label, `cannot open: ${message(error)}`)
  }
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true })
  pipeline(opened.stream, parser, () => {})
  let lastLine = 0
  let lastEmpty = 0
  let batch: Array<Row> = []
  try {
    for await (const item of parser as AsyncIterable<{ record: Array<string>; info: { lines: number; empty_lines: number } }>) {
      const start = lastLine + 1 + (item.info.empty_lines - lastEmpty)
      lastLine = item.info.lines
      lastEmpty = item.info.empty_lines
      batch.push({ cells: item.record, line: start })
      if (batch.length >= batchSize) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  } catch (error) {
    if (error instanceof FileError) throw error
    const line = typeof (error as { lines?: unknown }).lines === "number" ? ` line ${(error as { lines: number }).lines}` : ""
    throw new FileError("decode", `${label}${line}`, `not valid CSV: ${message(error)}`)
  } finally {
    parser.destroy()
    opened.release()
  }
}

export const message = (error: unknown): string => (error instanceof Error ? error.message : String(error))
