/**
 * A deep copy of configuration data: plain objects and arrays are copied; any other object (a
 * zod schema, a `TerminationCondition`, a tool or team instance) is kept as the same object,
 * so it keeps working where `structuredClone` would fail on it or drop its prototype.
 */
export function copyConfigData<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => copyConfigData(item)) as T;
  if (typeof value !== "object" || value === null) return value;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, copyConfigData(item)]),
  ) as T;
}
