/**
 * The hash chain of a stored run log: `hash = sha256(previous hash + canonical JSON of the
 * event)`, with 64 zeros before the first event. The canonical JSON is what `JSON.stringify`
 * writes, with every object's keys sorted (recursively), so the same event always hashes alike.
 */

/** The `previous hash` of a run's first event. */
export const GENESIS_HASH = "0".repeat(64);

/**
 * `value` as JSON with the keys of every object sorted: the text that is stored and hashed.
 * Follows `JSON.stringify` otherwise (`toJSON`, undefined and functions left out of objects and
 * written as `null` in arrays, non-finite numbers as `null`).
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? "null";
}

function write(value: unknown): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "bigint":
      throw new TypeError("A BigInt cannot be written as JSON.");
    case "object":
      break;
    default:
      return undefined;
  }
  const object = value as { toJSON?: unknown };
  if (typeof object.toJSON === "function") return write((object.toJSON as () => unknown)());
  if (Array.isArray(value)) return `[${value.map((item) => write(item) ?? "null").join(",")}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const text = write(record[key]);
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}

/** The hash of an event whose canonical JSON is `json`, chained to `previousHash`, in hex. */
export function chainHash(previousHash: string, json: string): string {
  // node:crypto is loaded on first use, so `import("llmteam")` does not pay for it.
  return process
    .getBuiltinModule("node:crypto")
    .createHash("sha256")
    .update(previousHash)
    .update(json)
    .digest("hex");
}
