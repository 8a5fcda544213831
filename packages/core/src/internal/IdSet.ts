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

/** MurmurHash3's finalizer: every input bit affects every output bit. */
const fmix = (h: number, length: number): number => {
  h ^= length
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r))

/**
 * Three 32-bit hashes of `text` in one pass over its UTF-16 code units: MurmurHash3's 32-bit
 * rounds from three seeds (the code unit mixed by a different multiplier for each).
 * Written into `out` to spare an allocation per id.
 */
export const hash3 = (text: string, out: Uint32Array): void => {
  let a = 0x9e3779b9
  let b = 0x85ebca6b
  let c = 0xc2b2ae35
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    a = Math.imul(rotl(a ^ Math.imul(rotl(Math.imul(code, 0xcc9e2d51), 15), 0x1b873593), 13), 5) + 0xe6546b64 | 0
    b = Math.imul(rotl(b ^ Math.imul(rotl(Math.imul(code, 0x239b961b), 15), 0xab0e9789), 13), 5) + 0x561ccd1b | 0
    c = Math.imul(rotl(c ^ Math.imul(rotl(Math.imul(code, 0x38b34ae5), 15), 0xa1e38b93), 13), 5) + 0x0bcaa747 | 0
  }
  out[0] = fmix(a, text.length) || 1 // 0 marks an empty slot
  out[1] = fmix(b, text.length)
  out[2] = fmix(c, text.length)
}

const scratch = new Uint32Array(3)

export class IdSet {
  /** Three lanes a slot, side by side so a probe touches one cache line; a 0 first lane is empty. */
  #slots: Uint32Array
  #size = 0

  constructor(capacity = 8) {
    let slots = 16
    while (slots < capacity * 2) slots *= 2
    this.#slots = new Uint32Array(slots * 3)
  }

  /** How many distinct ids were added. */
  get size(): number {
    return this.#size
  }

  has(id: string): boolean {
    hash3(id, scratch)
    return this.#find(this.#slots, scratch[0]!, scratch[1]!, scratch[2]!) >= 0
  }

  /** Adds `id`; false when it was already in the set. */
  add(id: string): boolean {
    hash3(id, scratch)
    const a = scratch[0]!
    const b = scratch[1]!
    const c = scratch[2]!
    const at = this.#find(this.#slots, a, b, c)
    if (at >= 0) return false
    this.#slots[~at] = a
    this.#slots[~at + 1] = b
    this.#slots[~at + 2] = c
    this.#size++
    if (this.#size * 6 > this.#slots.length) this.#grow()
    return true
  }

  /** How many ids of this set `other` lacks. */
  missingFrom(other: IdSet): number {
    const slots = this.#slots
    let missing = 0
    for (let i = 0; i < slots.length; i += 3) {
      if (slots[i] !== 0 && this.#find(other.#slots, slots[i]!, slots[i + 1]!, slots[i + 2]!) < 0) missing++
    }
    return missing
  }

  /** The index of the slot in `slots` holding the hashes, or `~index` of the empty slot where they would go. */
  #find(slots: Uint32Array, a: number, b: number, c: number): number {
    const mask = slots.length / 3 - 1
    let slot = a & mask
    for (;;) {
      const i = slot * 3
      const at = slots[i]!
      if (at === 0) return ~i
      if (at === a && slots[i + 1] === b && slots[i + 2] === c) return i
      slot = (slot + 1) & mask
    }
  }

  /**
   * Makes room for `count` ids at once (a listing's announced total), so a set that will hold
   * them is built once instead of doubled ~16 times, each time next to the table it replaces.
   */
  reserve(count: number): void {
    let slots = this.#slots.length / 3
    while (slots < count * 2) slots *= 2
    if (slots * 3 > this.#slots.length) this.#resize(slots * 3)
  }

  #grow(): void {
    this.#resize(this.#slots.length * 2)
  }

  #resize(length: number): void {
    const old = this.#slots
    const slots = new Uint32Array(length)
    for (let i = 0; i < old.length; i += 3) {
      if (old[i] === 0) continue
      const to = ~this.#find(slots, old[i]!, old[i + 1]!, old[i + 2]!)
      slots[to] = old[i]!
      slots[to + 1] = old[i + 1]!
      slots[to + 2] = old[i + 2]!
    }
    this.#slots = slots
  }
}
