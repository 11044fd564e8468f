import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built `roster` command, as a person runs it (`npm test` builds first). */
export const ROSTER = join(import.meta.dirname, '..', 'bin', 'roster.js');

export interface RosterRun { code: number | null; stdout: string; stderr: string }

/** Runs `roster …args` to the end with only PATH and these variables set. */
export function runRoster(args: string[], env: Record<string, string>): Promise<RosterRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ROSTER, ...args], { env: { PATH: process.env.PATH ?? '', ROSTER_LOG_LEVEL: 'warn', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
