/** The comparison plan from command-line flags (see main.ts). */
import { parseArgs } from "node:util"
import * as Compare from "./Compare.js"

const numbers = (flag: string, raw: string | undefined): ReadonlyArray<number> | undefined => {
  if (raw === undefined) return undefined
  const values = raw.split(",").map((v) => Number(v.replace(/_/g, "").trim()))
  if (values.some((v) => !Number.isFinite(v) || v < 0)) throw new RangeError(`--${flag} takes numbers separated by commas, got '${raw}'`)
  return values
}

/** The comparison plan from the flags. */
export const planOf = (argv: ReadonlyArray<string>): Compare.Plan => {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      full: { type: "boolean", default: false },
      users: { type: "string" },
      latency: { type: "string" },
      concurrency: { type: "string" },
      repeat: { type: "string" },
      workers: { type: "string" },
      "no-groups": { type: "boolean", default: false },
      "no-sequential": { type: "boolean", default: false }
    }
  })
  if (values.quick && values.full) throw new RangeError("--quick and --full exclude each other")
  const base = values.full ? Compare.full : Compare.quick
  const users = numbers("users", values.users)
  const latencies = numbers("latency", values.latency)
  const concurrencies = numbers("concurrency", values.concurrency)
  const repeat = numbers("repeat", values.repeat)?.[0]
  const workers = numbers("workers", values.workers)?.[0]
  const custom = users !== undefined || latencies !== undefined || concurrencies !== undefined || repeat !== undefined || workers !== undefined || values["no-groups"] || values["no-sequential"]
  return {
    ...base,
    label: custom ? "custom" : base.label,
    pullUsers: users ?? base.pullUsers,
    latencies: latencies ?? base.latencies,
    concurrencies: concurrencies === undefined ? base.concurrencies : concurrencies.map((c) => (c === Compare.defaultConcurrency ? undefined : c)),
    repeat: repeat ?? base.repeat,
    targetRepeat: repeat ?? base.targetRepeat,
    workers: workers ?? base.workers,
    sequentialUpTo: values["no-sequential"] ? 0 : base.sequentialUpTo,
    groups: values["no-groups"] ? undefined : base.groups
  }
}
