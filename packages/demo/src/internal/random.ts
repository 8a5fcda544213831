/**
 * A small seeded PRNG (mulberry32) and the few draws the generators need. Never Math.random:
 * the same seed gives the same district on every machine.
 */

/** Draws uniformly from [0, 1). */
export type Random = () => number

/** mulberry32: 32-bit state, fast, good enough for fixtures. */
export const mulberry32 = (seed: number): Random => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** An integer in [0, n). */
export const int = (random: Random, n: number): number => Math.floor(random() * n)

/** One element of a non-empty list. */
export const pick = <A>(random: Random, items: ReadonlyArray<A>): A => items[int(random, items.length)]!

/** `true` with probability `p`. */
export const chance = (random: Random, p: number): boolean => random() < p

/** Folds a name to lower-case ASCII for usernames ("José O'Brien" -> "jose.obrien"). */
export const asciiFold = (text: string): string =>
  text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/ł/g, "l")
    .replace(/Ł/g, "L")
    .replace(/ø/g, "o")
    .replace(/Ø/g, "O")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "")
