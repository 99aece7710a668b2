/** Where the page keeps the user's API key: this tab only, gone when it closes. */
const KEY_STORAGE = "llmteam.apiKey";

/** An error answer of the API: its status and the problem document's `detail`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

/**
 * Calls the API of the server that served the page, with `Authorization: Bearer <key>` when
 * the user gave a key (kept in `sessionStorage`).
 */
export class ApiClient {
  /** The API's base URL: the folder above the bundle's (`…/viewer/viewer.js` → `…/`). */
  constructor(readonly base: URL) {}

  get key(): string | undefined {
    return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
  }

  set key(key: string | undefined) {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  }

  url(path: string): URL {
    return new URL(path.replace(/^\//, ""), this.base);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const key = this.key;
    return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
  }

  /** GET a JSON resource. @throws ApiError for an error answer. */
  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    const response = await fetch(this.url(path), {
      headers: this.headers({ accept: "application/json" }),
      cache: "no-store",
      ...(signal ? { signal } : {}),
    });
    return answer<T>(response);
  }

  /** POST JSON. @throws ApiError for an error answer. */
  async post<T>(path: string, body: unknown = {}): Promise<T> {
    const response = await fetch(this.url(path), {
      method: "POST",
      headers: this.headers({ "content-type": "application/json", accept: "application/json" }),
      body: JSON.stringify(body),
    });
    return answer<T>(response);
  }
}

/** The response's JSON. @throws ApiError with the problem document's `detail`. */
export async function answer<T>(response: Response): Promise<T> {
  if (response.ok) return (await response.json()) as T;
  throw await apiError(response);
}

/** An `ApiError` from an error response (a problem document, or its text). */
export async function apiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  let detail = text || response.statusText;
  try {
    const problem = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof problem.detail === "string") detail = problem.detail;
    else if (typeof problem.title === "string") detail = problem.title;
  } catch {
    // Not JSON: the text as it is.
  }
  const hint = response.status === 401 ? ' Paste an API key with "API key…" at the top right.' : "";
  return new ApiError(response.status, `${response.status}: ${detail}${hint}`);
}
