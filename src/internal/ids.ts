/** A new run id: `run_` and a random UUID (Web Crypto: `node:crypto` loads on first use, not on import). */
export function newRunId(): string {
  return `run_${globalThis.crypto.randomUUID()}`;
}
