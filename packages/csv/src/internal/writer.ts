/**
 * A CSV file written row by row through csv-stringify, honouring backpressure (constant memory),
 * CRLF line ends like the IMS sample sets; and the zip of a finished folder, through yazl.
 */
import { stringify } from "csv-stringify"
import * as fs from "node:fs"
import * as path from "node:path"
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
