/** Where the CLI reads and writes; tests pass their own. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
  /** Where interactive commands (`configure`) read lines (default `process.stdin`). */
  stdin?: NodeJS.ReadableStream;
  /** stderr is a terminal: progress is drawn in place (default false: one line per step). */
  stderrIsTTY?: boolean;
}
