/** Random bytes for this many ids are drawn at once. */
const POOLED_IDS = 256;
const HEX_DIGITS = Array.from("0123456789abcdef", (digit) => digit.charCodeAt(0));
const DASH = "-".charCodeAt(0);
const PREFIX = "run_";

let pool: Uint8Array | undefined;
let offset = 0;
/** The characters of the id being written: `run_` and a UUID's 36. */
const chars = Array.from(PREFIX + "0".repeat(36), (char) => char.charCodeAt(0));

/**
 * A new run id: `run_` and a random (version 4) UUID, from Web Crypto's random bytes. Written
 * as one flat string: `crypto.randomUUID()` joins its id from pieces, which stay in memory as a
 * chain of string parts for as long as a run holds its id.
 */
export function newRunId(): string {
  if (pool === undefined || offset === pool.length) {
    pool ??= new Uint8Array(16 * POOLED_IDS);
    globalThis.crypto.getRandomValues(pool);
    offset = 0;
  }
  const start = offset;
  offset += 16;
  let at = PREFIX.length;
  for (let index = 0; index < 16; index++) {
    if (index === 4 || index === 6 || index === 8 || index === 10) chars[at++] = DASH;
    let byte = pool[start + index]!;
    if (index === 6)
      byte = (byte & 0x0f) | 0x40; // version 4
    else if (index === 8) byte = (byte & 0x3f) | 0x80; // RFC 9562 variant
    chars[at++] = HEX_DIGITS[byte >> 4]!;
    chars[at++] = HEX_DIGITS[byte & 15]!;
  }
  return String.fromCharCode.apply(null, chars);
}
