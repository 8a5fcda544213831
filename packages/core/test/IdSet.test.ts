import { describe, expect, it } from "@effect/vitest"
import { IdSet } from "../src/internal/IdSet.js"

/** A deterministic id stream: UUID-like, numeric, unicode and edge-case ids. */
const ids = (n: number, seed: number): Array<string> => {
  let x = seed >>> 0
  const next = () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0)
  const out: Array<string> = ["", " ", "0", "é", "学生-1", "\u{1F600}", "a".repeat(500)]
  for (let i = 0; i < n; i++) {
    const kind = next() % 3
    out.push(
      kind === 0
        ? `${next().toString(16).padStart(8, "0")}-${next().toString(16).slice(0, 4)}-4${next().toString(16).slice(0, 3)}-${next().toString(16)}`
        : kind === 1
          ? String(next() % 50_000)
          : `user-${next() % 50_000}`
    )
  }
  return out
}

describe("IdSet", () => {
  it("agrees with a Set<string> on add, has and size over 100,000 ids with repeats", () => {
    const set = new IdSet(4)
    const reference = new Set<string>()
    for (const id of ids(100_000, 7)) {
      expect(set.add(id)).toBe(!reference.has(id))
      reference.add(id)
    }
    expect(set.size).toBe(reference.size)
    for (const id of ids(20_000, 8)) expect(set.has(id)).toBe(reference.has(id))
    expect(set.has("never-added")).toBe(false)
  })

  it("tells ids that differ by one character or by case apart", () => {
    const set = new IdSet()
    expect(set.add("S-1001")).toBe(true)
    expect(set.add("s-1001")).toBe(true)
    expect(set.add("S-1002")).toBe(true)
    expect(set.add("S-10010")).toBe(true)
    expect(set.add("S-1001")).toBe(false)
    expect(set.size).toBe(4)
  })

  it("counts the ids another set lacks", () => {
    const before = new IdSet()
    const after = new IdSet()
    for (let i = 0; i < 5_000; i++) before.add(`u${i}`)
    for (let i = 10; i < 5_003; i++) after.add(`u${i}`)
    expect(before.missingFrom(after)).toBe(10)
    expect(after.missingFrom(before)).toBe(3)
    expect(before.missingFrom(before)).toBe(0)
  })

  it("keeps its ids when room is reserved, before or after they were added", () => {
    const set = new IdSet()
    for (let i = 0; i < 1_000; i++) set.add(`u${i}`)
    set.reserve(50_000)
    set.reserve(10) // never shrinks
    for (let i = 0; i < 1_000; i++) expect(set.has(`u${i}`)).toBe(true)
    for (let i = 500; i < 60_000; i++) set.add(`u${i}`)
    expect(set.size).toBe(60_000)
    expect(set.add("u59999")).toBe(false)
    expect(set.has("u60000")).toBe(false)
  })
})
