import { access } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors.js';
import type { Actor } from '../audit/audit.js';
import { newStoredName } from './upload-files.js';
import { createUpload, processUpload, type UploadView } from './uploads.service.js';

/** `roster import`'s options, as commander hands them over. */
export interface ImportCommandOptions {
  company: number;
  group: string;
  map?: string[];
}

export interface ImportCommandIo {
  stderr: NodeJS.WriteStream;
}

const count = new Intl.NumberFormat('en-US');

/** One line of the terminal progress bar, e.g. `[#########...............]  37%  writing profiles  120,000 / 300,000 rows`. */
export function importProgressLine(view: Pick<UploadView, 'progress' | 'phase' | 'rows_done' | 'counts'>, width = 24): string {
  const filled = Math.floor(Math.min(1, view.progress) * width);
  const accounted = view.counts.created + view.counts.updated + view.counts.unchanged + view.counts.rejected;
  const detail = view.phase === 'staging' ? `reading the file  ${count.format(view.rows_done)} rows` : `writing profiles  ${count.format(accounted)} / ${count.format(view.counts.rows)} rows`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(view.progress * 100)).padStart(3)}%  ${detail}`;
}

/** `--map Column=field` (an empty field, `null` or `skip` skips the column) into an upload mapping. */
export function parseMapOptions(entries: readonly string[]): Record<string, string | null> | undefined {
  if (entries.length === 0) return undefined;
  const mapping: Record<string, string | null> = {};
  for (const entry of entries) {
    const at = entry.lastIndexOf('=');
    if (at <= 0) throw new AppError('invalid_input', `--map ${JSON.stringify(entry)} is not column=field (e.g. --map "Cell=phone_number", --map "Shirt=custom:Shirt size", --map "Notes=")`);
    const field = entry.slice(at + 1).trim();
    mapping[entry.slice(0, at).trim()] = field === '' || field === 'null' || field === 'skip' ? null : field;
  }
  return mapping;
}

/**
 * `roster import`: uploads a CSV file into a group of a company without the job queue or a copy of the file: the same
 * checks, rules, counts, report and audit entries as an upload through the API, run in this process. A progress bar
 * goes to stderr when it is a terminal.
 */
export async function runImportCommand(database: Database, file: string, options: ImportCommandOptions, io: ImportCommandIo): Promise<UploadView & { seconds: number }> {
  const started = performance.now();
  const exists = await database.db.selectFrom('companies').select('id').where('id', '=', options.company).executeTakeFirst();
  if (!exists) throw new AppError('not_found', `--company ${options.company}: no such company`);
  const path = resolve(file);
  try {
    await access(path);
  } catch {
    throw new AppError('not_found', `${file}: no such file`);
  }
  const actor: Actor = { type: 'system', id: null, label: 'roster import (command line)' };
  const created = await createUpload(database, options.company, actor, { fileName: basename(path), storedName: newStoredName(), path, groupName: options.group, mapping: parseMapOptions(options.map ?? []) }, { queue: false });
  const showProgress = io.stderr.isTTY === true;
  let drawnAt = 0;
  const draw = (view: UploadView, force = false) => {
    if (!showProgress || (!force && Date.now() - drawnAt < 100)) return;
    drawnAt = Date.now();
    // \x1b[K clears what a longer earlier line left behind.
    io.stderr.write(`\r${importProgressLine(view)}\x1b[K`);
  };
  draw(created, true);
  const done = await processUpload(database, options.company, created.id, path, { onProgress: (view) => draw(view) });
  draw(done, true);
  if (showProgress) io.stderr.write('\n');
  return { ...done, seconds: (performance.now() - started) / 1000 };
}
