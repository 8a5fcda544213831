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

import * as Context from "effect/Context"

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

/**
 * The open-addressing table behind {@link IdSet} and the verified pull's digests: per slot, an
 * id's three 32-bit hashes and `extra` lanes of 32-bit payload side by side (a probe touches one
 * cache line), linear probing, at most half the slots used. A 0 first lane marks an empty slot.
 */
export class IdTable {
  /** Slot `i` is `lanes[i]` … `lanes[i + width - 1]`, its payload from `lanes[i + 3]`. Replaced when the table grows. */
  lanes: Uint32Array
  readonly #width: number
  #size = 0

  constructor(extra: number, capacity = 8) {
    this.#width = 3 + extra
    let slots = 16
    while (slots < capacity * 2) slots *= 2
    this.lanes = new Uint32Array(slots * this.#width)
  }

  /** How many distinct ids are in the table. */
  get size(): number {
    return this.#size
  }

  /** Lanes a slot. */
  get width(): number {
    return this.#width
  }

  /** The slot of the id hashed into `hash` (its three lanes), or -1. */
  find(hash: Uint32Array): number {
    const at = this.#probe(this.lanes, hash[0]!, hash[1]!, hash[2]!)
    return at >= 0 ? at : -1
  }

  /**
   * The slot of the id hashed into `hash`; a missing id is added (payload 0) and its slot given
   * as `~slot`. The slot stays valid until the next `insert` or `reserve`.
   */
  insert(hash: Uint32Array): number {
    if ((this.#size + 1) * 2 * this.#width > this.lanes.length) this.#resize(this.lanes.length * 2)
    const a = hash[0]!
    const b = hash[1]!
    const c = hash[2]!
    const at = this.#probe(this.lanes, a, b, c)
    if (at >= 0) return at
    const i = ~at
    this.lanes[i] = a
    this.lanes[i + 1] = b
    this.lanes[i + 2] = c
    this.#size++
    return at
  }

  /**
   * Makes room for `count` ids at once (a listing's announced total), so a table that will hold
   * them is built once instead of doubled ~16 times, each time next to the table it replaces.
   */
  reserve(count: number): void {
    let slots = this.lanes.length / this.#width
    while (slots < count * 2) slots *= 2
    if (slots * this.#width > this.lanes.length) this.#resize(slots * this.#width)
  }

  /** The index of the slot in `lanes` holding the hashes, or `~index` of the empty slot where they would go. */
  #probe(lanes: Uint32Array, a: number, b: number, c: number): number {
    const width = this.#width
    const mask = lanes.length / width - 1
    let slot = a & mask
    for (;;) {
      const i = slot * width
      const at = lanes[i]!
      if (at === 0) return ~i
      if (at === a && lanes[i + 1] === b && lanes[i + 2] === c) return i
      slot = (slot + 1) & mask
    }
  }

  #resize(length: number): void {
    const old = this.lanes
    const width = this.#width
    const lanes = new Uint32Array(length)
    for (let i = 0; i < old.length; i += width) {
      if (old[i] === 0) continue
      const to = ~this.#probe(lanes, old[i]!, old[i + 1]!, old[i + 2]!)
      for (let lane = 0; lane < width; lane++) lanes[to + lane] = old[i + lane]!
    }
    this.lanes = lanes
  }
}

/** A set of ids (see the top of this module): an {@link IdTable} without payload. */
export class IdSet {
  readonly #table: IdTable
  #adopted = false

  constructor(capacity = 8) {
    this.#table = new IdTable(0, capacity)
  }

  /**
   * Hands this set to a pager to keep a listing's output ids in (see {@link ListingIds}): true
   * the first time, while the set is empty; false after (a second reading of the same listing,
   * as `verify` makes, keeps its own).
   */
  adopt(): boolean {
    if (this.#adopted || this.#table.size > 0) return false
    this.#adopted = true
    return true
  }

  /** True once a pager keeps its listing's output ids here. */
  get adopted(): boolean {
    return this.#adopted
  }

  /** How many distinct ids were added. */
  get size(): number {
    return this.#table.size
  }

  has(id: string): boolean {
    hash3(id, scratch)
    return this.#table.find(scratch) >= 0
  }

  /** Adds `id`; false when it was already in the set. */
  add(id: string): boolean {
    hash3(id, scratch)
    return this.#table.insert(scratch) < 0
  }

  /** Makes room for `count` ids at once (see {@link IdTable.reserve}). */
  reserve(count: number): void {
    this.#table.reserve(count)
  }

  /** How many ids of this set `other` lacks. */
  missingFrom(other: IdSet): number {
    const lanes = this.#table.lanes
    let missing = 0
    for (let i = 0; i < lanes.length; i += 3) {
      if (lanes[i] === 0) continue
      scratch[0] = lanes[i]!
      scratch[1] = lanes[i + 1]!
      scratch[2] = lanes[i + 2]!
      if (other.#table.find(scratch) < 0) missing++
    }
    return missing
  }
}

/**
 * A set for the pager of a listing to keep the ids it outputs in, instead of a set of its own
 * (provided by the query engine to the first role of a `users` listing, whose de-duplication
 * against the next role then needs no second set of the same ids). The pager adopts it only
 * once and only empty (see {@link IdSet.adopt}); a listing read without the pager leaves it
 * unadopted, and the engine then fills it itself.
 */
export class ListingIds extends Context.Reference<ListingIds>()("@rosterkit/core/internal/ListingIds", {
  defaultValue: (): IdSet | undefined => undefined
}) {}
