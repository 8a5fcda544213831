import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Progress from "../src/Progress.js"

const fakeStderr = (isTTY: boolean) => {
  const written: Array<string> = []
  return { stream: { isTTY, columns: 120, write: (t: string) => (written.push(t), true) }, written }
}

describe("Progress", () => {
  it.scoped("draws pages, records and retry waits on one line, and clears it at the end", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStderr(true)
      let clock = 0
      yield* Effect.scoped(
        Effect.gen(function* () {
          const p = yield* Progress.make({ stream, unit: "users", interval: 0, now: () => clock })
          expect(p.active).toBe(true)
          yield* p.page
          clock = 1500
          yield* p.records(1200)
          yield* p.waiting("rate limited, waiting 2s (retry 1 of 5)")
          yield* p.note("a note")
          yield* p.page
        })
      )
      const text = written.join("")
      expect(text).toContain("rosterkit: 1 page · 0 users · 0.0s")
      expect(text).toContain("rosterkit: 1 page · 1,200 users · 1.5s · rate limited, waiting 2s (retry 1 of 5)")
      expect(text).toContain("\r\x1b[2Krosterkit: a note\n")
      expect(text).toContain("rosterkit: 2 pages · 1,200 users · 1.5s")
      expect(text.endsWith("\r\x1b[2K")).toBe(true)
    })
  )

  it.scoped("data written to the same terminal: the line is erased before and redrawn after, with the true counts", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStderr(true)
      const screen: Array<string> = []
      // One terminal: stderr and stdout writes land in one sequence.
      const tty = { ...stream, write: (t: string) => (screen.push(t), written.push(t), true) }
      const clock = 0
      yield* Effect.scoped(
        Effect.gen(function* () {
          const p = yield* Progress.make({ stream: tty, unit: "users", interval: 100, now: () => clock, sharesScreen: true })
          yield* p.page
          // Throttled: 139 records counted within the interval are not drawn yet…
          yield* p.records(139)
          expect(screen.join("")).toBe("\r\x1b[2Krosterkit: 1 page · 0 users · 0.0s")
          // …but data is written on a clean line, and the line comes back with the true count.
          yield* p.data(Effect.sync(() => void screen.push("139\n")))
        })
      )
      expect(screen).toStrictEqual([
        "\r\x1b[2Krosterkit: 1 page · 0 users · 0.0s",
        "\r\x1b[2K",
        "139\n",
        "\r\x1b[2Krosterkit: 1 page · 139 users · 0.0s",
        "\r\x1b[2K"
      ])
    })
  )

  it.scoped("the ticker draws a throttled change within the interval", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStderr(true)
      const p = yield* Progress.make({ stream, unit: "users", interval: 100, now: () => 0 })
      yield* p.page
      yield* p.records(7)
      expect(written.join("")).not.toContain("7 users")
      yield* TestClock.adjust("100 millis")
      expect(written.at(-1)).toBe("\r\x1b[2Krosterkit: 1 page · 7 users · 0.0s")
    })
  )

  it.scoped("data to a pipe (stdout not the terminal) leaves the line alone", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStderr(true)
      const p = yield* Progress.make({ stream, unit: "users", interval: 0, now: () => 0, sharesScreen: false })
      yield* p.page
      yield* p.records(2)
      yield* p.data(Effect.void)
      expect(written.some((t) => t === "\r\x1b[2K")).toBe(false)
      expect(written.at(-1)).toBe("\r\x1b[2Krosterkit: 1 page · 2 users · 0.0s")
    })
  )

  it.scoped("is silent when stderr is not a terminal, or with --quiet; warnings still show", () =>
    Effect.gen(function* () {
      for (const [isTTY, quiet] of [[false, false], [true, true]] as const) {
        const { stream, written } = fakeStderr(isTTY)
        const p = yield* Progress.make({ stream, quiet, interval: 0 })
        yield* p.page
        yield* p.records(5)
        yield* p.debug("GET http://x")
        if (quiet) yield* p.note("hidden")
        yield* p.warn("careful")
        expect(written).toStrictEqual(["rosterkit: warning: careful\n"])
      }
    })
  )

  it.scoped("the logger routes retries to the line, debug to --verbose, warnings always", () =>
    Effect.gen(function* () {
      const { stream, written } = fakeStderr(false)
      const p = yield* Progress.make({ stream, verbose: true, interval: 0 })
      const program = Effect.gen(function* () {
        yield* Effect.logDebug("GET http://sis/users -> 200 (3 ms)")
        yield* Effect.logDebug("clever: rate limited during list users, waiting 2s (retry 1 of 5)").pipe(Effect.annotateLogs({ delayMillis: 2000 }))
        yield* Effect.logWarning("odd")
      })
      yield* program.pipe(Effect.provide(Progress.layerLogger), Effect.provideService(Progress.Progress, p))
      expect(written).toStrictEqual([
        "rosterkit: GET http://sis/users -> 200 (3 ms)\n",
        "rosterkit: clever: rate limited during list users, waiting 2s (retry 1 of 5)\n",
        "rosterkit: warning: odd\n"
      ])
    })
  )
})
