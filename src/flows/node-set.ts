/** The agents of a flow, numbered: what a {@link NodeSet} ranges over. */
export interface NodeUniverse {
  ids: readonly string[];
  index: ReadonlyMap<string, number>;
}

/** Numbers the agents of a flow. */
export function nodeUniverse(ids: readonly string[]): NodeUniverse {
  return { ids, index: new Map(ids.map((id, position) => [id, position])) };
}

/**
 * A set of a flow's agents as one bit per agent: a union or an intersection costs n/32
 * steps and a set of 2,000 agents 250 bytes, so flow analysis stays near-linear in practice.
 */
export class NodeSet {
  private readonly bits: Uint32Array;

  constructor(
    private readonly universe: NodeUniverse,
    bits?: Uint32Array,
  ) {
    this.bits = bits ?? new Uint32Array((universe.ids.length + 31) >>> 5);
  }

  has(id: string): boolean {
    const position = this.universe.index.get(id);
    return position !== undefined && (this.bits[position >>> 5]! & (1 << (position & 31))) !== 0;
  }

  add(id: string): this {
    const position = this.universe.index.get(id);
    if (position !== undefined) this.bits[position >>> 5]! |= 1 << (position & 31);
    return this;
  }

  /** Adds every member of `other`. */
  addAll(other: NodeSet): this {
    for (let word = 0; word < this.bits.length; word++) this.bits[word]! |= other.bits[word]!;
    return this;
  }

  /** Keeps only the members of `other`. */
  keepOnly(other: NodeSet): this {
    for (let word = 0; word < this.bits.length; word++) this.bits[word]! &= other.bits[word]!;
    return this;
  }

  copy(): NodeSet {
    return new NodeSet(this.universe, this.bits.slice());
  }

  /** The members, in the universe's order. */
  *[Symbol.iterator](): IterableIterator<string> {
    for (let word = 0; word < this.bits.length; word++) {
      let value = this.bits[word]!;
      while (value !== 0) {
        const low = value & -value;
        yield this.universe.ids[(word << 5) + (31 - Math.clz32(low))]!;
        value ^= low;
      }
    }
  }
}
