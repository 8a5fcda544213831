import { describe, expect, it } from "vitest"
import * as Faults from "../src/Faults.js"

describe("Faults.randomly", () => {
  it("fails about `rate` of the requests, spread over the faults, the same way for the same seed", () => {
    const run = (seed: number) => {
      const plan = Faults.make(Faults.randomly({ rate: 0.15, seed, faults: [Faults.serverError(500), Faults.reset(), Faults.truncate()] }))
      return Array.from({ length: 4000 }, (_, i) => plan.next(new URL(`http://x/users?offset=${i}`)))
    }
    const a = run(7)
    expect(run(7)).toStrictEqual(a)
    const failed = a.filter((f) => f !== undefined)
    expect(failed.length).toBeGreaterThan(4000 * 0.12)
    expect(failed.length).toBeLessThan(4000 * 0.18)
    for (const type of ["status", "reset", "truncate"]) expect(failed.filter((f) => f!.type === type).length).toBeGreaterThan(100)
    expect(run(8)).not.toStrictEqual(a)
  })
})
