import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, BenchResult } from './types.js';

const rate = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '∞');

/** The results as a plain-text table, one row per figure. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ['benchmark', 'engine', 'rows', 'service', 'raw', 'ratio'];
  const rows = results.map((r) => [
    r.benchmark,
    r.engine,
    r.rows.toLocaleString('en-US'),
    `${rate(r.service.perSecond)} ${r.unit}`,
    `${rate(r.raw.perSecond)} ${r.unit}`,
    `${r.ratio.toFixed(2)}×`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const numeric = new Set([2, 3, 4, 5]);
  const line = (cells: string[]) => cells.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Writes the results with what is needed to compare runs to bench/results/<timestamp>.json; answers the path. */
export function writeResults(results: readonly BenchResult[], options: BenchOptions, startedAt: Date): string {
  const dir = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = `${dir}${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
  const cpu = cpus();
  const document = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options,
    machine: { node: process.version, platform: process.platform, arch: process.arch, cpus: cpu.length, cpuModel: cpu[0]?.model ?? null, memoryBytes: totalmem() },
    note: 'Compare ratios (service seconds / raw seconds, same engine, same run); absolute rates on shared machines are noise.',
    results,
  };
  writeFileSync(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}
