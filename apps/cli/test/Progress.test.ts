import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
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
