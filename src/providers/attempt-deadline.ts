import { ModelTimeoutError } from "../errors/model-timeout-error.js";
import type { Clock } from "../internal/clock.js";

/** Time limits of one attempt of a model call, in ms; `0` turns a limit off. */
export interface AttemptLimits {
  /** Longest time one attempt may take, first byte to last. */
  timeoutMs: number;
  /** Longest wait of a streamed attempt for its first delta (text, reasoning or tool call). */
  firstTokenTimeoutMs: number;
}

/**
 * Default limits of every model call of a team: 5 minutes per attempt, and 60 s for a streamed
 * attempt's first delta. Long enough for a slow local model writing a long answer; short
 * enough that a frozen server fails the attempt (which is retried, then falls back) instead of
 * hanging the run.
 */
export const ATTEMPT_LIMIT_DEFAULTS: Readonly<AttemptLimits> = Object.freeze({
  timeoutMs: 300_000,
  firstTokenTimeoutMs: 60_000,
});

/**
 * The limits of an agent (or the team's own calls): each given value over the default; `0`
 * turns that limit off.
 */
export function resolveAttemptLimits(options: Partial<AttemptLimits> = {}): AttemptLimits {
  return {
    timeoutMs: options.timeoutMs ?? ATTEMPT_LIMIT_DEFAULTS.timeoutMs,
    firstTokenTimeoutMs: options.firstTokenTimeoutMs ?? ATTEMPT_LIMIT_DEFAULTS.firstTokenTimeoutMs,
  };
}

/** Reason given to a deadline timer's cancellation (a constant: an abort without one builds a DOMException). */
const ATTEMPT_SETTLED = Symbol("llmteam.attemptSettled");

const ignore = (): undefined => undefined;

/**
 * Runs one attempt under its deadline, with one timer at a time on the run's clock. The attempt
 * gets a signal that aborts on the run's abort or at the deadline, and, when streamed with a
 * first-token limit, a `firstToken` callback to call on its first delta (the timer then moves
 * to the attempt's whole limit). At the deadline the returned promise rejects at once with
 * {@link ModelTimeoutError}, even if the attempt ignores its signal; on the run's abort, with
 * `signal.reason`. Without limits the attempt runs with the run's signal as it is.
 */
export function withDeadline<T>(
  limits: AttemptLimits,
  streamed: boolean,
  context: { signal: AbortSignal; clock: Clock },
  model: string,
  attempt: (signal: AbortSignal, firstToken: (() => void) | undefined) => Promise<T>,
): Promise<T> {
  const { timeoutMs } = limits;
  const firstTokenMs = streamed ? limits.firstTokenTimeoutMs : 0;
  if (timeoutMs <= 0 && firstTokenMs <= 0) return attempt(context.signal, undefined);
  const { signal: outer, clock } = context;
  if (outer.aborted) return Promise.reject(outer.reason as Error);
  const controller = new AbortController();
  let stopTimer = new AbortController();
  let rejectEarly!: (reason: unknown) => void;
  const early = new Promise<never>((_resolve, reject) => {
    rejectEarly = reject;
  });
  const arm = (ms: number, error: () => ModelTimeoutError): void => {
    clock.sleep(ms, stopTimer.signal).then(() => {
      const reason = error();
      controller.abort(reason);
      rejectEarly(reason);
    }, ignore);
  };
  const onOuterAbort = (): void => {
    controller.abort(outer.reason);
    rejectEarly(outer.reason);
  };
  outer.addEventListener("abort", onOuterAbort, { once: true });
  const startedAt = clock.now();
  const attemptTimeout = (): ModelTimeoutError => new ModelTimeoutError({ timeoutMs, model });
  let firstToken: (() => void) | undefined;
  if (firstTokenMs > 0 && (timeoutMs <= 0 || firstTokenMs < timeoutMs)) {
    arm(
      firstTokenMs,
      () => new ModelTimeoutError({ timeoutMs: firstTokenMs, model, firstToken: true }),
    );
    firstToken = () => {
      firstToken = undefined;
      stopTimer.abort(ATTEMPT_SETTLED);
      if (timeoutMs <= 0) return;
      stopTimer = new AbortController();
      arm(Math.max(0, timeoutMs - (clock.now() - startedAt)), attemptTimeout);
    };
  } else {
    arm(timeoutMs, attemptTimeout);
  }
  let call: Promise<T>;
  try {
    call = attempt(controller.signal, () => firstToken?.());
  } catch (error) {
    call = Promise.reject(error);
  }
  // The attempt may reject later (after its abort); that rejection is not ours to report.
  call.catch(ignore);
  return Promise.race([call, early]).finally(() => {
    stopTimer.abort(ATTEMPT_SETTLED);
    outer.removeEventListener("abort", onOuterAbort);
  });
}
