/**
 * The gateway's upstream cache: one entry per district and query, kept for a TTL, with single
 * flight — while a pull is running, every identical request waits for that one pull instead of
 * starting its own. A failed pull is forgotten at once (the next request tries again), and a
 * request that goes away does not cancel a pull other requests wait for.
 *
 * It is the only state the gateway keeps besides OAuth 1.0a nonces (both per instance).
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Runtime from "effect/Runtime"

export interface Options {
  /** How long a result is reused; zero turns caching off (single flight still applies). */
  readonly ttl: Duration.DurationInput
  /** Entries kept at most (the oldest go first); default 1000. */
  readonly capacity?: number
  /** The clock in epoch milliseconds (default Date.now). */
  readonly now?: () => number
}

export interface PullCache {
  /** `pull` once per `key` and TTL; concurrent callers with the same key share one pull. */
  readonly through: <A, E>(key: string, pull: Effect.Effect<A, E>) => Effect.Effect<A, E>
  /** How many pulls have started (for tests and stats). */
  readonly pulls: () => number
  readonly size: () => number
}

interface Entry {
  readonly expires: number
  readonly fiber: Fiber.RuntimeFiber<unknown, unknown>
  done: boolean
}

export const make = (options: Options): Effect.Effect<PullCache> =>
  Effect.map(Effect.runtime<never>(), (runtime) => {
    const ttl = Duration.toMillis(Duration.decode(options.ttl))
    const capacity = options.capacity ?? 1000
    const now = options.now ?? Date.now
    const entries = new Map<string, Entry>()
    let pulls = 0

    const evict = (at: number) => {
      for (const [key, entry] of entries) if (entry.done && entry.expires <= at) entries.delete(key)
      while (entries.size >= capacity) {
        const oldest = entries.keys().next()
        if (oldest.done) break
        entries.delete(oldest.value)
      }
    }

    const through = <A, E>(key: string, pull: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.suspend(() => {
        const at = now()
        let entry = entries.get(key)
        // A running pull is joined even past its TTL; a finished one only within it.
        if (entry === undefined || (entry.done && entry.expires <= at)) {
          evict(at)
          pulls++
          const fiber = Runtime.runFork(runtime)(pull) as Fiber.RuntimeFiber<unknown, unknown>
          const created: Entry = { expires: at + ttl, fiber, done: false }
          entry = created
          entries.set(key, created)
          fiber.addObserver((exit) => {
            created.done = true
            if ((Exit.isFailure(exit) || ttl <= 0) && entries.get(key) === created) entries.delete(key)
          })
        }
        return Fiber.join(entry.fiber) as Effect.Effect<A, E>
      })

    return { through, pulls: () => pulls, size: () => entries.size }
  })
