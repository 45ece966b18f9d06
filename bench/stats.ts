/** Order statistics for the bench: nearest-rank quantiles over a sample (no interpolation, no deps). */

export interface Summary {
  n: number;
  median: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank quantile, q in [0, 1], of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { n: 0, median: Number.NaN, p99: Number.NaN, mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  return {
    n,
    median: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    mean: sorted.reduce((s, v) => s + v, 0) / n,
    min: sorted[0]!,
    max: sorted[n - 1]!,
  };
}

/** Rounds every number in a summary, for JSON output and tables. */
export function rounded(s: Summary, digits = 1): Summary {
  const r = (v: number) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : v);
  return { n: s.n, median: r(s.median), p99: r(s.p99), mean: r(s.mean), min: r(s.min), max: r(s.max) };
}
