/**
 * A seeded fuzz of the filter parser: random strings (built from the filter grammar's own
 * pieces, and from arbitrary characters) must either parse or fail with a typed InvalidQuery —
 * never throw — and whatever parses must format back to an expression that parses to the same
 * filter and evaluates without throwing.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Filter from "@rosterkit/core/Filter"

/** mulberry32: a small seeded generator, so a failure is reproducible from its seed. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const pieces = ["givenName", "role", "course.sourcedId", "a", "_x", "9bad", "=", "!=", ">", ">=", "<", "<=", "~", "==", "'", "''", "'Ann'", "'O''Brien'", " ", "  ", "AND", "OR", "and", "or", "NOT", "(", ")", "\\", "%", "\n", "\t", "é", "😀", "\u0000", ",", ";", "'a' AND b='c'"]

const sample = (next: () => number): string => {
  const length = Math.floor(next() * 12)
  let out = ""
  for (let i = 0; i < length; i++) {
    out +=
      next() < 0.75
        ? pieces[Math.floor(next() * pieces.length)]!
        : String.fromCodePoint(Math.floor(next() * (next() < 0.9 ? 128 : 0x10ffff)))
  }
  return out
}

const pick = <A>(next: () => number, items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!

/** A well-formed expression (with random values, quotes doubled), sometimes damaged by one edit. */
const structured = (next: () => number): string => {
  const value = () => sample(next).replace(/'/g, "''")
  const predicate = () =>
    `${pick(next, ["givenName", "role", "course.sourcedId", "x_1"])}${pick(next, ["", " "])}${pick(next, ["=", "!=", ">", ">=", "<", "<=", "~"])}${pick(next, ["", " "])}'${value()}'`
  let out = predicate()
  if (next() < 0.5) out += ` ${pick(next, ["AND", "OR", "and", "Or"])} ${predicate()}`
  if (next() < 0.3) {
    const at = Math.floor(next() * (out.length + 1))
    out = out.slice(0, at) + pick(next, pieces) + out.slice(at + (next() < 0.5 ? 1 : 0))
  }
  return out
}

const records: ReadonlyArray<unknown> = [
  { givenName: "Ann", role: "student", course: { sourcedId: "c1" } },
  { givenName: null, role: ["a", "b"], course: [{ sourcedId: 3 }] },
  null,
  "text",
  {}
]

describe("Filter.parse fuzz", () => {
  it("never throws: a typed error or a filter that round-trips (seed 20261130, 5,000 strings)", () => {
    const next = random(20261130)
    let parsed = 0
    let refused = 0
    for (let i = 0; i < 5000; i++) {
      const expression = next() < 0.5 ? sample(next) : structured(next)
      let exit: Exit.Exit<Filter.Filter, unknown>
      try {
        exit = Effect.runSyncExit(Filter.parse(expression))
      } catch (error) {
        throw new Error(`Filter.parse threw on ${JSON.stringify(expression)}: ${String(error)}`)
      }
      if (Exit.isSuccess(exit)) {
        parsed++
        const again = Effect.runSync(Filter.parse(Filter.format(exit.value)))
        expect(again, JSON.stringify(expression)).toStrictEqual(exit.value)
        for (const record of records) expect(typeof Filter.evaluate(exit.value, record)).toBe("boolean")
      } else {
        refused++
        const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        expect(failure, JSON.stringify(expression)).toMatchObject({ _tag: "InvalidQuery", field: "filter" })
      }
    }
    // Both branches are exercised.
    expect(parsed).toBeGreaterThan(1000)
    expect(refused).toBeGreaterThan(1000)
  })
})
