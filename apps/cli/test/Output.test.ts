import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { EventEmitter } from "node:events"
import * as Output from "../src/Output.js"

const users = [
  { sourcedId: "1", givenName: "Ann", familyName: "Lee", role: "student", username: "ann", email: "ann@x.org", orgs: [{ sourcedId: "7", type: "org" }] },
  { sourcedId: "2", givenName: "Bo, Jr.", familyName: 'The "Great"', role: "teacher", username: "bo", email: null, grades: ["09", "10"] }
]

const run = (stream: Stream.Stream<unknown>, options: Output.Options, isTTY = false) =>
  Effect.gen(function* () {
    const sink: Array<string> = []
    const count = yield* Output.write(stream, options).pipe(Effect.provide(Output.layerTest(sink, isTTY)))
    return { count, text: sink.join("") }
  })

describe("Output.write", () => {
  it.effect("json is one array written element by element; empty is []", () =>
    Effect.gen(function* () {
      // Two chunks: the array is written in two pieces, never collected.
      const stream = Stream.fromChunks(Chunk.of(users[0]), Chunk.of(users[1]))
      const sink: Array<string> = []
      yield* Output.write(stream, { format: "json", entity: "users" }).pipe(Effect.provide(Output.layerTest(sink)))
      expect(sink.length).toBe(3)
      expect(JSON.parse(sink.join(""))).toStrictEqual(users)
      const empty = yield* run(Stream.empty, { format: "json", entity: "users" })
      expect(empty).toStrictEqual({ count: 0, text: "[]\n" })
    })
  )

  it.effect("ndjson is one record per line; --fields projects", () =>
    Effect.gen(function* () {
      const { text } = yield* run(Stream.fromIterable(users), { format: "ndjson", entity: "users" })
      expect(text.trimEnd().split("\n").map((l) => JSON.parse(l))).toStrictEqual(users)
      const projected = yield* run(Stream.fromIterable(users), { format: "ndjson", entity: "users", fields: ["sourcedId", "orgs", "email"] })
      expect(projected.text).toBe('{"sourcedId":"1","orgs":[{"sourcedId":"7","type":"org"}],"email":"ann@x.org"}\n{"sourcedId":"2","orgs":null,"email":null}\n')
    })
  )

  it.effect("csv quotes as RFC 4180 says and flattens references and lists", () =>
    Effect.gen(function* () {
      const { text, count } = yield* run(Stream.fromIterable(users), { format: "csv", entity: "users", fields: ["sourcedId", "givenName", "familyName", "orgs", "grades", "email"] })
      expect(count).toBe(2)
      expect(text).toBe(
        'sourcedId,givenName,familyName,orgs,grades,email\r\n1,Ann,Lee,7,,ann@x.org\r\n2,"Bo, Jr.","The ""Great""",,"09,10",\r\n'
      )
    })
  )

  it.effect("table aligns the default columns of the entity", () =>
    Effect.gen(function* () {
      const { text } = yield* run(Stream.fromIterable(users), { format: "table", entity: "users" })
      expect(text.split("\n")).toStrictEqual([
        "sourcedId  givenName  familyName   role     username  email",
        "---------  ---------  -----------  -------  --------  ---------",
        "1          Ann        Lee          student  ann       ann@x.org",
        '2          Bo, Jr.    The "Great"  teacher  bo',
        ""
      ])
    })
  )

  it.effect("table widths only grow after the first block of 100 rows; long cells are cut", () =>
    Effect.gen(function* () {
      const rows = Array.from({ length: 101 }, (_, i) => ({ sourcedId: String(i), title: i === 100 ? "x".repeat(80) : "t" }))
      const { text } = yield* run(Stream.fromIterable(rows), { format: "table", entity: "classes", fields: ["sourcedId", "title"] })
      const lines = text.trimEnd().split("\n")
      expect(lines[0]).toBe("sourcedId  title")
      expect(lines[2]).toBe("0          t")
      expect(lines.at(-1)).toBe(`100        ${"x".repeat(59)}…`)
    })
  )

  it.effect("dotted fields reach into references", () =>
    Effect.gen(function* () {
      const { text } = yield* run(Stream.make({ sourcedId: "c1", course: { sourcedId: "k1", type: "course" } }), {
        format: "csv",
        entity: "classes",
        fields: ["sourcedId", "course.sourcedId", "course.type"]
      })
      expect(text).toBe("sourcedId,course.sourcedId,course.type\r\nc1,k1,course\r\n")
    })
  )

  it.effect("emit: --count prints only the number; the format defaults to table on a terminal, json otherwise", () =>
    Effect.gen(function* () {
      const emitWith = (flags: Output.Flags, isTTY: boolean) =>
        Effect.gen(function* () {
          const sink: Array<string> = []
          let seen = 0
          yield* Output.emit(Stream.fromIterable(users), flags, "users", (n) => Effect.sync(() => void (seen += n))).pipe(
            Effect.provide(Output.layerTest(sink, isTTY))
          )
          return { text: sink.join(""), seen }
        })
      expect(yield* emitWith({ format: Option.none(), count: true, fields: [] }, false)).toStrictEqual({ text: "2\n", seen: 2 })
      expect((yield* emitWith({ format: Option.none(), count: false, fields: [] }, false)).text.startsWith("[\n")).toBe(true)
      expect((yield* emitWith({ format: Option.none(), count: false, fields: [] }, true)).text.startsWith("sourcedId  givenName")).toBe(true)
      expect((yield* emitWith({ format: Option.some("csv"), count: false, fields: ["sourcedId,role"] }, true)).text).toBe(
        "sourcedId,role\r\n1,student\r\n2,teacher\r\n"
      )
    })
  )
})

describe("Output.fromWritable", () => {
  /**
   * A stream that takes a chunk's bytes only when it calls back, 1 ms after the write before it
   * (as a Node stream writes: in order, later).
   */
  class FakeStream extends EventEmitter {
    readonly written: Array<string> = []
    writableLength = 0
    private last = Promise.resolve()
    write(chunk: string | Uint8Array, callback: () => void) {
      const size = typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength
      this.writableLength += size
      this.last = this.last.then(
        () =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              this.written.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"))
              this.writableLength -= size
              callback()
              resolve()
            }, 1)
          )
      )
      return this.writableLength < 16384
    }
  }

  it.live("write completes once the chunk and everything before it have been written", () =>
    Effect.gen(function* () {
      const stream = new FakeStream()
      const writer = Output.fromWritable(stream)
      yield* writer.write("a")
      expect(stream.written).toStrictEqual(["a"])
      yield* writer.send(Buffer.from("b"))
      yield* writer.write("c")
      expect(stream.written).toStrictEqual(["a", "b", "c"])
    })
  )

  it.live("send completes while one chunk is being written or less than sendAhead bytes are, and waits otherwise", () =>
    Effect.gen(function* () {
      const stream = new FakeStream()
      const writer = Output.fromWritable(stream)
      const big = Buffer.alloc(Output.sendAhead, 0x61)
      yield* writer.send(big) // the only chunk being written: completes at once
      expect(stream.written).toHaveLength(0)
      yield* writer.send(Buffer.from("x")) // a second chunk, with sendAhead bytes unwritten: waits for room
      expect(stream.written).toHaveLength(1)
      yield* writer.send(Buffer.from("y"))
      yield* writer.send(Buffer.from("z")) // small chunks below the bound: no wait
      expect(stream.written.length).toBeLessThan(4)
      yield* writer.flush
      expect(stream.written.slice(1)).toStrictEqual(["x", "y", "z"])
    })
  )

  it.live("ndjson pages each get their own buffer, encoded while the one before is written, all written at the end", () =>
    Effect.gen(function* () {
      const stream = new FakeStream()
      const pages = [[users[0], users[1]], [users[1]], [{ sourcedId: "3", givenName: "Zoë Łukasz 李" }]]
      const count = yield* Output.write(Stream.fromChunks(...pages.map((page) => Chunk.fromIterable(page))), { format: "ndjson", entity: "users" }).pipe(
        Effect.provideService(Output.Stdout, Output.fromWritable(stream))
      )
      expect(count).toBe(4)
      expect(stream.written).toStrictEqual(pages.map((page) => page.map((u) => `${JSON.stringify(u)}\n`).join("")))
      expect(stream.writableLength).toBe(0)
    })
  )

  it.effect("turns EPIPE into BrokenPipe, on a write and on the flush of what was sent before it", () =>
    Effect.gen(function* () {
      const stream = new FakeStream()
      const writer = Output.fromWritable(stream)
      yield* writer.send(Buffer.from("x"))
      stream.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))
      expect(yield* Effect.flip(writer.flush)).toMatchObject({ _tag: "BrokenPipe", code: "EPIPE" })
      expect(yield* Effect.flip(writer.write("x"))).toMatchObject({ _tag: "BrokenPipe", code: "EPIPE" })
      expect(yield* Effect.flip(writer.send(Buffer.from("y")))).toMatchObject({ _tag: "BrokenPipe", code: "EPIPE" })
    })
  )
})
