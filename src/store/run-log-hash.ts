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

/** Quoted keys, by key: events use few distinct keys, so each is quoted once. */
const quotedKeys = new Map<string, string>();

function quote(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** A string JSON writes as is, between quotes: no quote, backslash, control character or surrogate. */
const PLAIN_STRING = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      break;
    case "bigint":
      throw new TypeError("A BigInt cannot be written as JSON.");
    default:
      return undefined;
  }
  const object = value as { toJSON?: unknown };
  if (typeof object.toJSON === "function") return write((object.toJSON as () => unknown)());
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    let text = `[${write(value[0]) ?? "null"}`;
    for (let index = 1; index < value.length; index++) text += `,${write(value[index]) ?? "null"}`;
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = sortedKeys(record);
  let text = "";
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const item = write(record[key]);
    if (item === undefined) continue;
    text += `${text === "" ? "{" : ","}${quote(key)}:${item}`;
  }
  return text === "" ? "{}" : `${text}}`;
}

/** The object's own keys in code-unit order (an insertion sort: objects have few keys). */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  for (let index = 1; index < keys.length; index++) {
    const key = keys[index]!;
    let before = index - 1;
    if (keys[before]! <= key) continue;
    while (before >= 0 && keys[before]! > key) {
      keys[before + 1] = keys[before]!;
      before--;
    }
    keys[before + 1] = key;
  }
  return keys;
}

/** The hash of an event whose canonical JSON is `json`, chained to `previousHash`, in hex. */
export function chainHash(previousHash: string, json: string): string {
  // node:crypto is loaded on first use, so `import("llmteam")` does not pay for it.
  // The one-shot `hash()` (Node >= 21.7) is ~40% faster than a `Hash` object for an event.
  return process.getBuiltinModule("node:crypto").hash("sha256", previousHash + json, "hex");
}
