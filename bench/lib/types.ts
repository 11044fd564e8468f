import type { Database, Engine } from '../../src/db/database.js';

/** What every benchmark is given: one fresh, migrated database of one engine, and the run's options. */
export interface BenchContext {
  engine: Engine;
  database: Database;
  options: BenchOptions;
  /** Progress for the person watching (stderr); not part of the results. */
  log: (message: string) => void;
}

export interface BenchOptions {
  /** How many rows (profiles) the benchmark works on. */
  rows: number;
  /** Seed for the generated data. */
  seed: number;
  /** Rows per service call / raw statement. */
  batchSize: number;
}

/** One side of a comparison: the same work done through Roster, and by the raw database. */
export interface Measurement {
  seconds: number;
  /** `rows / seconds`. */
  perSecond: number;
  /** How the work was done, e.g. "upsertProfiles, 1000 per call" or "better-sqlite3 multi-row INSERT". */
  method: string;
}

/**
 * One figure. Absolute times on these machines are noise; `ratio` (service seconds / raw seconds,
 * measured in the same run on the same engine) is the number to watch.
 */
export interface BenchResult {
  benchmark: string;
  engine: Engine;
  rows: number;
  unit: string;
  service: Measurement;
  raw: Measurement;
  ratio: number;
  /** Anything else worth keeping with the figure (extra rows written, batch counts, checks). */
  details?: Record<string, unknown>;
}

/** A benchmark module, registered in bench/run.ts. */
export interface Benchmark {
  /** Short id used by `--only`. */
  name: string;
  description: string;
  run(context: BenchContext): Promise<BenchResult[]>;
}

export function measurement(rows: number, seconds: number, method: string): Measurement {
  return { seconds, perSecond: seconds > 0 ? rows / seconds : Infinity, method };
}
