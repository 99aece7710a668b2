import { ModelTimeoutError } from "../errors/model-timeout-error.js";
import { offAbort, onAbort } from "../internal/abort-callbacks.js";
import { startTimer, type Clock } from "../internal/clock.js";

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

const noop = (): void => undefined;

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
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let cancelTimer = noop;
    let abortHandle = -1;
    const end = (): void => {
      settled = true;
      cancelTimer();
      offAbort(outer, abortHandle);
    };
    // The deadline or the run's abort: the attempt is abandoned at once, its signal aborted.
    const abandon = (reason: unknown): void => {
      if (settled) return;
      end();
      controller.abort(reason);
      reject(reason);
    };
    const onOuterAbort = (): void => abandon(outer.reason);
    const startedAt = clock.now();
    const attemptTimeout = (): void => abandon(new ModelTimeoutError({ timeoutMs, model }));
    let firstToken: (() => void) | undefined;
    if (firstTokenMs > 0 && (timeoutMs <= 0 || firstTokenMs < timeoutMs)) {
      cancelTimer = startTimer(clock, firstTokenMs, () =>
        abandon(new ModelTimeoutError({ timeoutMs: firstTokenMs, model, firstToken: true })),
      );
      firstToken = () => {
        firstToken = undefined;
        if (settled) return;
        cancelTimer();
        cancelTimer =
          timeoutMs <= 0
            ? noop
            : startTimer(clock, Math.max(0, timeoutMs - (clock.now() - startedAt)), attemptTimeout);
      };
    } else {
      cancelTimer = startTimer(clock, timeoutMs, attemptTimeout);
    }
    abortHandle = onAbort(outer, onOuterAbort);
    let call: Promise<T>;
    try {
      call = attempt(controller.signal, () => firstToken?.());
    } catch (error) {
      call = Promise.reject(error);
    }
    // A rejection after the attempt was abandoned is not ours to report.
    call.then(
      (value) => {
        if (settled) return;
        end();
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        end();
        reject(error);
      },
    );
  });
}
