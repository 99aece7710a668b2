/** A copy of `vector` scaled to length 1 (so cosine similarity is a dot product). */
export function normalized(vector: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let index = 0; index < vector.length; index++) sum += vector[index]! * vector[index]!;
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  const out = new Float32Array(vector.length);
  for (let index = 0; index < vector.length; index++) out[index] = vector[index]! * scale;
  return out;
}

/** The dot product of two vectors of one length. */
export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += a[index]! * b[index]!;
  return sum;
}

/** A vector's bytes, as stored (little-endian float32). */
export function vectorBytes(vector: Float32Array): Uint8Array {
  return new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** A stored vector from its bytes (copied, so it is aligned). */
export function bytesVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** Keeps the `limit` best of scored items, best first. */
export class TopHits<T> {
  private readonly items: { item: T; score: number }[] = [];
  constructor(private readonly limit: number) {}

  get worst(): number {
    return this.items.length < this.limit ? -Infinity : this.items.at(-1)!.score;
  }

  offer(score: number, make: () => T): void {
    if (this.limit <= 0 || score <= this.worst) return;
    let at = this.items.length;
    while (at > 0 && this.items[at - 1]!.score < score) at--;
    this.items.splice(at, 0, { item: make(), score });
    if (this.items.length > this.limit) this.items.pop();
  }

  results(): T[] {
    return this.items.map((entry) => entry.item);
  }
}
