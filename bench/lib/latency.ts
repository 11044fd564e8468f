/** Latency samples in milliseconds, summarised by nearest-rank percentiles. */
export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of ascending samples. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN };
}

/** What a side answers when the time that counts is not its wall time (e.g. the server's own time for a request). */
export class Measured {
  constructor(readonly ms: number) {}
}

/** Milliseconds `body` takes, or the time it reports itself (Measured). */
export async function timed(body: () => unknown): Promise<number> {
  const start = performance.now();
  const result = await body();
  return result instanceof Measured ? result.ms : performance.now() - start;
}

/**
 * Runs each side `warmup` times, then `iterations` rounds in which every side runs once, the order rotating
 * from round to round, so all sides see the same caches and the same machine noise. Answers the samples per side.
 */
export async function interleave(sides: ReadonlyArray<() => Promise<unknown>>, warmup: number, iterations: number): Promise<number[][]> {
  for (let w = 0; w < warmup; w++) for (const side of sides) await side();
  const samples = sides.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < sides.length; k++) {
      const s = (i + k) % sides.length;
      samples[s]!.push(await timed(sides[s]!));
    }
  }
  return samples;
}

/** A plain-text table; columns listed in `right` are right-aligned. */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, right: ReadonlySet<number>): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export const ms = (value: number) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)) : '–');
