import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";

interface Waiter {
  resolve: (sequence: LlamaContextSequence) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Lends the sequences of one llama.cpp context to concurrent generations. The context holds
 * `size` sequences that llama.cpp evaluates in the same batches; a caller beyond that waits its
 * turn (first come, first served). A returned sequence keeps its tokens, so the next call that
 * shares the same prompt prefix (the next step of a tool loop) skips evaluating it again.
 */
export class SequencePool {
  private context: Promise<LlamaContext> | undefined;
  private readonly idle: LlamaContextSequence[] = [];
  private readonly waiters: Waiter[] = [];
  private created = 0;

  constructor(
    private readonly createContext: () => Promise<LlamaContext>,
    readonly size: number,
  ) {}

  /**
   * A free sequence; waits while all are busy.
   * @throws the signal's reason when `signal` aborts while waiting.
   */
  async acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    signal?.throwIfAborted();
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.created < this.size) {
      this.created++;
      try {
        this.context ??= this.createContext();
        const context = await this.context;
        return context.getSequence();
      } catch (error) {
        this.created--;
        if (this.created === 0) this.context = undefined;
        throw error;
      }
    }
    return new Promise<LlamaContextSequence>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Gives a sequence back: to the first waiter, or to the idle list. */
  release(sequence: LlamaContextSequence): void {
    if (sequence.disposed) {
      this.created--;
      const waiter = this.waiters.shift();
      if (waiter) {
        waiter.signal?.removeEventListener("abort", waiter.onAbort);
        this.acquire(waiter.signal).then(waiter.resolve, waiter.reject);
      }
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) {
      waiter.signal?.removeEventListener("abort", waiter.onAbort);
      waiter.resolve(sequence);
      return;
    }
    this.idle.push(sequence);
  }

  /** Number of callers waiting for a sequence. */
  get waiting(): number {
    return this.waiters.length;
  }
}
