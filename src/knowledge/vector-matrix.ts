import { TopHits } from "./vectors.js";

/**
 * Every stored vector of a knowledge base in one `Float32Array` (row-major), for exact cosine
 * search by a scan of memory (vectors are stored normalized, so cosine is a dot product).
 */
export class VectorMatrix {
  private constructor(
    readonly ids: number[],
    readonly matrix: Float32Array,
    readonly dimensions: number,
  ) {}

  /** A matrix of rows `{ id, bytes }`, each vector as stored (little-endian float32 bytes). */
  static of(rows: { id: number; bytes: Uint8Array }[]): VectorMatrix {
    const dimensions = rows.length > 0 ? rows[0]!.bytes.byteLength / 4 : 0;
    const matrix = new Float32Array(rows.length * dimensions);
    const view = new Uint8Array(matrix.buffer);
    rows.forEach((row, index) =>
      view.set(row.bytes.subarray(0, dimensions * 4), index * dimensions * 4),
    );
    return new VectorMatrix(
      rows.map((row) => row.id),
      matrix,
      dimensions,
    );
  }

  /**
   * The ids of the `limit` nearest vectors with their scores, best first; only `allowed` ids
   * when given.
   * @throws Error when `vector` has another dimension than the stored ones.
   */
  nearest(
    vector: Float32Array,
    limit: number,
    allowed?: ReadonlySet<number>,
  ): { id: number; score: number }[] {
    const { ids, matrix, dimensions } = this;
    if (ids.length > 0 && dimensions !== vector.length)
      throw new Error(
        `The query vector has ${vector.length} dimensions; the stored ones have ${dimensions}.`,
      );
    const top = new TopHits<{ id: number; score: number }>(limit);
    for (let row = 0; row < ids.length; row++) {
      const id = ids[row]!;
      if (allowed && !allowed.has(id)) continue;
      let score = 0;
      const offset = row * dimensions;
      for (let index = 0; index < dimensions; index++)
        score += vector[index]! * matrix[offset + index]!;
      top.offer(score, () => ({ id, score }));
    }
    return top.results();
  }
}
