/**
 * A set of record ids for listings of any size: each id is kept as a 96-bit hash in typed
 * arrays (12 bytes a slot, at most half the slots used), not as a string in a `Set`.
 *
 * Why: checking a million-record listing for repeats with a `Set<string>` holds every id
 * string (about 75 bytes each with the set's entry) in V8's heap, which then grows lazily to
 * several times that; this holds ~24 bytes an id outside the heap. The cost is that two ids
 * are the same to this set when their three independent 32-bit hashes all agree: for a million
 * ids the chance that any two distinct ids collide is below 10^-16, far below the chance of a
 * hardware fault in the same run.
 */

const seeds = [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35] as const

/** MurmurHash3's 32-bit mix over the string's UTF-16 code units, from `seed`. */
const hash = (text: string, seed: number): number => {
  let h = seed | 0
  for (let i = 0; i < text.length; i++) {
    let k = Math.imul(text.charCodeAt(i), 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    h ^= Math.imul(k, 0x1b873593)
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  h ^= text.length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

export class IdSet {
  #a: Uint32Array
  #b: Uint32Array
  #c: Uint32Array
  #size = 0

  constructor(capacity = 1024) {
    let slots = 16
    while (slots < capacity * 2) slots *= 2
    this.#a = new Uint32Array(slots)
    this.#b = new Uint32Array(slots)
    this.#c = new Uint32Array(slots)
  }

  /** How many distinct ids were added. */
  get size(): number {
    return this.#size
  }

  has(id: string): boolean {
    const a = hash(id, seeds[0]) || 1
    return this.#find(a, hash(id, seeds[1]), hash(id, seeds[2])) >= 0
  }

  /** Adds `id`; false when it was already in the set. */
  add(id: string): boolean {
    const a = hash(id, seeds[0]) || 1
    const b = hash(id, seeds[1])
    const c = hash(id, seeds[2])
    const slot = this.#find(a, b, c)
    if (slot >= 0) return false
    this.#insert(a, b, c, ~slot)
    this.#size++
    if (this.#size * 2 > this.#a.length) this.#grow()
    return true
  }

  /** How many ids of this set `other` lacks. */
  missingFrom(other: IdSet): number {
    let missing = 0
    for (let i = 0; i < this.#a.length; i++) {
      const a = this.#a[i]!
      if (a !== 0 && other.#find(a, this.#b[i]!, this.#c[i]!) < 0) missing++
    }
    return missing
  }

  /** The slot holding the hashes, or `~slot` of the empty slot where they would go. */
  #find(a: number, b: number, c: number): number {
    const mask = this.#a.length - 1
    let i = a & mask
    for (;;) {
      const at = this.#a[i]!
      if (at === 0) return ~i
      if (at === a && this.#b[i] === b && this.#c[i] === c) return i
      i = (i + 1) & mask
    }
  }

  #insert(a: number, b: number, c: number, slot: number): void {
    this.#a[slot] = a
    this.#b[slot] = b
    this.#c[slot] = c
  }

  #grow(): void {
    const [a, b, c] = [this.#a, this.#b, this.#c]
    this.#a = new Uint32Array(a.length * 2)
    this.#b = new Uint32Array(a.length * 2)
    this.#c = new Uint32Array(a.length * 2)
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== 0) this.#insert(a[i]!, b[i]!, c[i]!, ~this.#find(a[i]!, b[i]!, c[i]!))
    }
  }
}
