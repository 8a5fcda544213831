import { describe, expect, it } from "@effect/vitest"
import * as Heap from "../src/Heap.js"

const run = (execArgv: ReadonlyArray<string>, nodeOptions: string | undefined) => {
  const set: Array<string> = []
  const bound = Heap.bound({ execArgv, nodeOptions, set: (flags) => set.push(flags) })
  return { bound, set }
}

describe("Heap.bound", () => {
  it("caps the old generation's growth between full collections", () => {
    expect(run([], undefined)).toEqual({ bound: true, set: [`--heap-growing-percent=${Heap.growingPercent}`] })
    expect(run(["--enable-source-maps"], "--max-old-space-size=4096")).toEqual({
      bound: true,
      set: [`--heap-growing-percent=${Heap.growingPercent}`]
    })
  })

  it("leaves a growth the user gave node as it is", () => {
    expect(run(["--heap-growing-percent=200"], undefined)).toEqual({ bound: false, set: [] })
    expect(run([], "--max-old-space-size=4096 --heap_growing_percent=10")).toEqual({ bound: false, set: [] })
  })
})
