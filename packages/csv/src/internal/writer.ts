/**
 * A CSV file written row by row through csv-stringify, honouring backpressure (constant memory),
 * CRLF line ends like the IMS sample sets; columns known only at the end (metadata.*) appended
 * in one streaming rewrite; and the zip of a finished folder, through yazl.
 */
import { parse } from "csv-parse"
import { stringify } from "csv-stringify"
import * as fs from "node:fs"
import * as path from "node:path"
import * as readline from "node:readline"
import { pipeline } from "node:stream"
import { pipeline as pipelinePromise } from "node:stream/promises"
import yazl from "yazl"

export interface Writer {
  /** Writes one row; returns a promise only when the caller must wait for the disk. */
  readonly write: (row: ReadonlyArray<string>) => Promise<void> | undefined
  /** Ends the file and waits until it is on disk. */
  readonly close: () => Promise<void>
  /** Abandons the file (after a failure). */
  readonly destroy: () => void
}

export const open = (file: string): Writer => {
  const out = fs.createWriteStream(file)
  const stringifier = stringify({ record_delimiter: "windows", quote_record_delimiter: true })
  const done = new Promise<void>((resolve, reject) => pipeline(stringifier, out, (error) => (error ? reject(error) : resolve())))
  done.catch(() => {})
  return {
    write: (row) =>
      stringifier.write(row) ? undefined : Promise.race([new Promise<void>((resolve) => stringifier.once("drain", () => resolve())), done]),
    close: () => {
      stringifier.end()
      return done
    },
    destroy: () => {
      stringifier.destroy()
      out.destroy()
    }
  }
}

/** Zips `names` (files of `dir`) into `target`, entries at the root of the zip. */
export const zip = async (dir: string, names: ReadonlyArray<string>, target: string): Promise<void> => {
  const archive = new yazl.ZipFile()
  // yazl reports a file it cannot read on the ZipFile, not on its output stream.
  const failed = new Promise<never>((_, reject) => archive.once("error", reject))
  for (const name of names) archive.addFile(path.join(dir, name), name)
  archive.end()
  await Promise.race([pipelinePromise(archive.outputStream, fs.createWriteStream(target)), failed])
}

/**
 * Cells that join a file's rows only once the file is complete: the `metadata.<key>` columns,
 * whose union is known only after the last record. Rows stream to the file as usual; the
 * extra cells of each row (from the first row that has any) go to a side file, one JSON line
 * per row, and `finish` rewrites the file once with the extra columns appended (sorted),
 * streaming both, so memory holds only the column names. A file whose rows have no extra cells
 * is left as it is (no rewrite).
 */
export interface ExtraColumns {
  /** Records the extra cells of the next row (call once per row written, in order). */
  readonly add: (cells: ReadonlyMap<string, string> | undefined) => Promise<void> | undefined
  /** Appends the columns to `file` (header included) and removes the side file. */
  readonly finish: () => Promise<void>
  /** Abandons the side file (after a failure). */
  readonly destroy: () => void
}

export const extraColumns = (file: string): ExtraColumns => {
  const sideFile = `${file}.extra`
  const seen = new Set<string>()
  let rows = 0
  let firstRow = -1
  let side: fs.WriteStream | undefined
  let failed: Promise<never> | undefined
  const write = (line: string): Promise<void> | undefined =>
    side!.write(line) ? undefined : Promise.race([new Promise<void>((resolve) => side!.once("drain", () => resolve())), failed!])
  return {
    add: (cells) => {
      const row = rows++
      if (cells === undefined && side === undefined) return undefined
      if (side === undefined) {
        const stream = fs.createWriteStream(sideFile)
        failed = new Promise<never>((_, reject) => stream.once("error", reject))
        failed.catch(() => {})
        side = stream
        firstRow = row
      }
      if (cells === undefined) return write("\n")
      const values: Record<string, string> = {}
      for (const [column, value] of cells) {
        seen.add(column)
        values[column] = value
      }
      return write(`${JSON.stringify(values)}\n`)
    },
    finish: async () => {
      if (side === undefined) return
      await new Promise<void>((resolve, reject) => side!.end((error?: Error | null) => (error ? reject(error) : resolve())))
      // Sorted: the same columns in the same order whatever order the records came in.
      const columns = [...seen].sort()
      const rewritten = `${file}.rewrite`
      const lines = readline.createInterface({ input: fs.createReadStream(sideFile), crlfDelay: Infinity })[Symbol.asyncIterator]()
      const parser = parse({ relax_column_count: true })
      pipeline(fs.createReadStream(file), parser, () => {})
      const out = open(rewritten)
      try {
        let index = -1
        for await (const cells of parser as AsyncIterable<Array<string>>) {
          let extra: ReadonlyArray<string>
          if (index === -1) extra = columns
          else if (index < firstRow) extra = columns.map(() => "")
          else {
            const next = await lines.next()
            const values = next.done || next.value === "" ? {} : (JSON.parse(next.value) as Record<string, string>)
            extra = columns.map((c) => values[c] ?? "")
          }
          index++
          const wait = out.write([...cells, ...extra])
          if (wait !== undefined) await wait
        }
        await out.close()
      } catch (error) {
        out.destroy()
        throw error
      } finally {
        parser.destroy()
        await lines.return?.()
      }
      await fs.promises.rename(rewritten, file)
      await fs.promises.rm(sideFile, { force: true })
    },
    destroy: () => {
      side?.destroy()
      fs.rmSync(sideFile, { force: true })
      fs.rmSync(`${file}.rewrite`, { force: true })
    }
  }
}
