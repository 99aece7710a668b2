/**
 * Where shared budgets keep their spend. All amounts are integer nano-dollars (1e-9 USD);
 * all times are ms since the epoch, given by the caller (stores read no clock).
 *
 * Spend lives in buckets (`bucketStartMs`); a window is every bucket of a key starting at or
 * after `windowStartMs`. A calendar window is one bucket; a rolling window is many slices.
 * Reservations hold money for calls in flight; a reservation never settled (a crashed
 * process) stops counting at `expiresAtMs`.
 *
 * Implementations make `reserve` atomic: two callers can never both fit into the same room.
 * A store over the network bounds every wait (a timeout) and stops waiting when the request's
 * `signal` aborts; a `settle` it may have applied before giving up is safe to repeat while the
 * reservation has not expired (see the Redis store).
 */
export interface BudgetStore {
  /** Holds `amountNano` if it fits (or always, for a soft budget). */
  reserve(request: BudgetReserveRequest): Promise<BudgetReserveResult>;
  /** Replaces a reservation with the real spend (`actualNano`, in the reservation's bucket). */
  settle(request: BudgetSettleRequest): Promise<BudgetWindowUsage>;
  /** Drops a reservation without spending (the call failed or was never made). */
  release(request: BudgetReleaseRequest): Promise<void>;
  /** Spend and holds of a window. */
  usage(request: BudgetUsageRequest): Promise<BudgetWindowUsage>;
  /** Releases the store's resources (not a client it was given). */
  close(): Promise<void>;
}

/** Which window of which budget. */
export interface BudgetUsageRequest {
  /** The budget's key, e.g. `team:support:day:calendar`. */
  key: string;
  /** Buckets starting at or after this count. */
  windowStartMs: number;
  /** Now: reservations expired by then are dropped. */
  nowMs: number;
  /** Stops waiting for the store (the operation may still be applied by it). */
  signal?: AbortSignal | undefined;
}

/** Arguments of {@link BudgetStore.reserve}. */
export interface BudgetReserveRequest extends BudgetUsageRequest {
  /** Unique id of this reservation. */
  reservationId: string;
  /** Money to hold, nano-dollars. */
  amountNano: number;
  /** The budget's maximum, nano-dollars. */
  limitNano: number;
  /** Refuse when `spent + reserved + amount > limit`. When false the hold is always taken. */
  hardLimit: boolean;
  /** The bucket the spend goes to when settled. */
  bucketStartMs: number;
  /** When this hold stops counting if never settled or released. */
  expiresAtMs: number;
  /** After this time the bucket is out of every window and may be deleted. */
  bucketExpiresAtMs: number;
}

/** Result of {@link BudgetStore.reserve}. Figures are those seen when deciding, without this hold. */
export interface BudgetReserveResult extends BudgetWindowUsage {
  granted: boolean;
}

/** Spend and holds of one window, nano-dollars. */
export interface BudgetWindowUsage {
  spentNano: number;
  reservedNano: number;
}

/** Arguments of {@link BudgetStore.settle}. */
export interface BudgetSettleRequest extends BudgetUsageRequest {
  reservationId: string;
  /** Real cost of the call, nano-dollars. */
  actualNano: number;
  /** Bucket to spend in when the reservation is gone (it expired). */
  bucketStartMs: number;
  /** See {@link BudgetReserveRequest.bucketExpiresAtMs}. */
  bucketExpiresAtMs: number;
}

/** Arguments of {@link BudgetStore.release}. */
export interface BudgetReleaseRequest {
  key: string;
  reservationId: string;
  /** Stops waiting for the store (the release may still be applied by it). */
  signal?: AbortSignal | undefined;
}
