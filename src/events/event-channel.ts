/**
 * A one-producer, one-consumer queue of events with back-pressure. `push` returns a promise
 * only when `highWaterMark` items wait unread; the producer awaits it and resumes once the
 * consumer has read half of them. Nothing is dropped while the consumer reads.
 * Ending iteration early (`return()`) calls `onCancel` and discards later pushes.
 * When only the result is wanted ({@link EventChannel.resultOnly}) and nobody has started reading,
 * the producer is never held: the events are discarded once `highWaterMark` of them wait, and a
 * later read fails with an error that says so.
 */
export class EventChannel<T> implements AsyncIterableIterator<T> {
  private buffer: T[] = [];
  private head = 0;
  private closed = false;
  private failure: { error: unknown } | undefined;
  private cancelled = false;
  private consumer: ((result: IteratorResult<T>) => void) | undefined;
  private consumerFailed: ((error: unknown) => void) | undefined;
  private producerWait: Promise<void> | undefined;
  private releaseProducer: (() => void) | undefined;
  private reading = false;
  private onlyResult = false;
  private dropped = false;

  constructor(
    private readonly highWaterMark: number,
    private readonly onCancel: () => void,
  ) {}

  /** Items waiting to be read. */
  get size(): number {
    return this.buffer.length - this.head;
  }

  push(item: T): void | Promise<void> {
    if (this.cancelled || this.closed || this.dropped) return;
    const consumer = this.consumer;
    if (consumer) {
      this.consumer = undefined;
      this.consumerFailed = undefined;
      consumer({ value: item, done: false });
      return;
    }
    this.buffer.push(item);
    if (this.buffer.length - this.head >= this.highWaterMark) {
      if (this.onlyResult && !this.reading) {
        this.drop();
        return;
      }
      this.producerWait ??= new Promise<void>((resolve) => (this.releaseProducer = resolve));
      return this.producerWait;
    }
  }

  /** No more items: the consumer reads what is buffered, then ends. */
  close(): void {
    this.closed = true;
    this.wakeConsumer();
  }

  /** The producer failed: the consumer reads what is buffered, then gets `error`. */
  fail(error: unknown): void {
    this.failure = { error };
    this.closed = true;
    this.wakeConsumer();
  }

  /**
   * Only the producer's result is wanted for now: if nobody has started reading when the buffer
   * fills (or has already filled), the events are dropped instead of holding the producer.
   */
  resultOnly(): void {
    this.onlyResult = true;
    if (this.releaseProducer && !this.reading) {
      this.drop();
      this.resumeProducer();
    }
  }

  next(): Promise<IteratorResult<T>> {
    this.reading = true;
    if (this.dropped) {
      return Promise.reject(
        new Error(
          `The stream's events were discarded: \`result\` was awaited while nobody read the events and ${this.highWaterMark} of them were waiting. Start iterating before awaiting \`result\`, or call run() when only the result is wanted.`,
        ),
      );
    }
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head++]!;
      if (this.head === this.buffer.length) {
        this.buffer = [];
        this.head = 0;
      }
      if (this.releaseProducer && this.buffer.length - this.head <= this.highWaterMark >> 1)
        this.resumeProducer();
      return Promise.resolve({ value, done: false });
    }
    if (this.releaseProducer) this.resumeProducer();
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.closed || this.cancelled) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.consumer = resolve;
      this.consumerFailed = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.cancelled && !this.closed) {
      this.cancelled = true;
      this.onCancel();
    }
    this.cancelled = true;
    this.buffer = [];
    this.head = 0;
    this.resumeProducer();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private drop(): void {
    this.dropped = true;
    this.buffer = [];
    this.head = 0;
  }

  private resumeProducer(): void {
    const release = this.releaseProducer;
    this.releaseProducer = undefined;
    this.producerWait = undefined;
    release?.();
  }

  private wakeConsumer(): void {
    const consumer = this.consumer;
    const failed = this.consumerFailed;
    if (!consumer) return;
    this.consumer = undefined;
    this.consumerFailed = undefined;
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      failed!(error);
    } else consumer({ value: undefined, done: true });
  }
}
