/** Percentiles and the shape of a benchmark result, shared by every bench. */
export interface BenchResult {
  name: string;
  unit: 'ms';
  samples: number[];
  p50: number;
  p95: number;
  budget?: { p50?: number; p95?: number; text: string };
  reference?: { name: string; p50: number; p95: number };
  ratio?: number;
  notes: string[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function summarize(name: string, samples: number[], extra: Partial<BenchResult> = {}): BenchResult {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    name,
    unit: 'ms',
    samples: samples.map((s) => Math.round(s * 100) / 100),
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    notes: [],
    ...extra,
  };
}

export function round(n: number): number {
  return Math.round(n * 10) / 10;
}

export function withinBudget(r: BenchResult): boolean | null {
  if (!r.budget) return null;
  if (r.budget.p50 !== undefined && r.p50 > r.budget.p50) return false;
  if (r.budget.p95 !== undefined && r.p95 > r.budget.p95) return false;
  return true;
}
