/** `$12.50`, `$0.0003015`: cents above a dollar, every nano-dollar digit below. */
export function usd(amount: number): string {
  if (amount >= 1) return `$${amount.toFixed(2)}`;
  return `$${amount.toFixed(9).replace(/\.?0+$/, "")}`;
}
