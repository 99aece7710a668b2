/**
 * The type of a tool parameter, as a JSON Schema type. The seed's Python names map onto valid
 * JSON Schema: `FLOAT` is `number`, `LIST` is `array`, `DICT` is `object` (JSON Schema has no
 * `float`, `list` or `dict`, and models reject them). `Optional[T]` is `required: false`.
 *
 * @example
 * new ToolParameter({ name: "limit", type: ParamType.INTEGER, required: false, default: 10 });
 */
export const ParamType = {
  STRING: "string",
  INTEGER: "integer",
  NUMBER: "number",
  /** Alias of `NUMBER` (the seed's name). */
  FLOAT: "number",
  BOOLEAN: "boolean",
  ARRAY: "array",
  /** Alias of `ARRAY` (the seed's `List[T]`; give the item type in `items`). */
  LIST: "array",
  OBJECT: "object",
  /** Alias of `OBJECT` (the seed's `Dict[str, T]`; give the value type in `values`). */
  DICT: "object",
} as const;

/** One of the {@link ParamType} values: a JSON Schema type. */
export type ParamType = (typeof ParamType)[keyof typeof ParamType];

const ALIASES: Record<string, ParamType> = {
  string: "string",
  str: "string",
  integer: "integer",
  int: "integer",
  number: "number",
  float: "number",
  boolean: "boolean",
  bool: "boolean",
  array: "array",
  list: "array",
  object: "object",
  dict: "object",
};

/**
 * Normalises a type name, accepting the Python spellings (`float`, `int`, `str`, `bool`,
 * `list`, `dict`) as well as the JSON Schema ones. Undefined for anything else.
 */
export function normalizeParamType(type: string): ParamType | undefined {
  return Object.hasOwn(ALIASES, type.toLowerCase()) ? ALIASES[type.toLowerCase()] : undefined;
}

/** The valid type names, for error messages. */
export const PARAM_TYPE_NAMES: readonly ParamType[] = [
  "string",
  "integer",
  "number",
  "boolean",
  "array",
  "object",
];
