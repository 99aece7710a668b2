/** English words too common to help a lexical search. */
const STOPWORDS = new Set(
  (
    "a an and are as at be but by can could did do does for from had has have how i if in into is it its " +
    "me my no not of on or our so than that the their them then there these they this to was we were what " +
    "when where which who whom why will with would you your about should shall may might must also"
  ).split(" "),
);

/**
 * The search terms of a question: its words in lower case, stopwords removed (all of them kept
 * when nothing else is left), each once.
 */
export function queryTerms(question: string): string[] {
  const words = question.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}_'-]*/gu) ?? [];
  const cleaned = words.map((word) => word.replace(/['-]+$/, ""));
  const kept = cleaned.filter((word) => !STOPWORDS.has(word));
  return [...new Set(kept.length > 0 ? kept : cleaned)];
}

/** Word n-grams of a question (1 to `longest` words): the names an entity lookup tries. */
export function nameCandidates(question: string, longest = 4): string[] {
  const words = question.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}_.'-]*/gu) ?? [];
  const trimmed = words.map((word) => word.replace(/[.'-]+$/, ""));
  const names = new Set<string>();
  for (let start = 0; start < trimmed.length; start++) {
    for (let length = 1; length <= longest && start + length <= trimmed.length; length++) {
      const name = trimmed.slice(start, start + length).join(" ");
      if (length > 1 || !STOPWORDS.has(name)) names.add(name);
    }
  }
  return [...names];
}
