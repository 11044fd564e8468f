import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/database.js';
import { AppError } from '../../errors.js';
import { recordAudit } from '../audit/audit.js';
import { countMatching } from '../profiles/profile-list.repository.js';
import { publishFile, writeFileFully, type WriteText } from './export-files.js';
import { writeProfilesCsv } from './export-writer.js';
import { exportParameters, resolveListQuery } from './exports.service.js';

/** `roster export`'s options, as commander hands them over. */
export interface ExportCommandOptions {
  company: number;
  out: string;
  search?: string;
  subscriptionStatus?: string;
  firstSeenType?: string;
  undeliverableReason?: string;
  customField?: string[];
  order?: string;
}

export interface ExportCommandIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

const count = new Intl.NumberFormat('en-US');

/** One line of the terminal progress bar, e.g. `[#########...........]  45%  450,000 / 1,000,000 rows  61,200 rows/s`. */
export function progressLine(done: number, total: number, seconds: number, width = 24): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.floor(fraction * width);
  const rate = seconds > 0 ? Math.round(done / seconds) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${count.format(done)} / ${count.format(total)} rows  ${count.format(rate)} rows/s`;
}

/** Writes to stdout, waiting when the pipe is full. */
function stdoutWriter(stdout: NodeJS.WriteStream): WriteText {
  return (text) => new Promise((done, fail) => {
    stdout.write(text, (error) => (error ? fail(error) : done()));
  });
}

/**
 * `roster export`: writes the profiles a list query matches straight to a file (or `-` for stdout), without the job
 * queue: the same columns, order and cell rules as Save as CSV. The file appears under its name only once complete.
 * A progress bar goes to stderr when it is a terminal. Audited as a system export, since it bypasses the API.
 */
export async function runExportCommand(database: Database, options: ExportCommandOptions, io: ExportCommandIo): Promise<{ rows: number; bytes: number; file: string; seconds: number }> {
  const started = performance.now();
  const exists = await database.db.selectFrom('companies').select('id').where('id', '=', options.company).executeTakeFirst();
  if (!exists) throw new AppError('not_found', `--company ${options.company}: no such company`);
  const parameters = exportParameters({
    search: options.search,
    subscription_status: options.subscriptionStatus,
    first_seen_type: options.firstSeenType,
    undeliverable_reason: options.undeliverableReason,
    custom_field: options.customField,
    order: options.order,
  });
  const query = await resolveListQuery(database, options.company, parameters);
  const total = await countMatching(database, options.company, query);

  const showProgress = io.stderr.isTTY === true;
  let drawnAt = 0;
  const draw = (done: number, force = false) => {
    if (!showProgress || (!force && Date.now() - drawnAt < 100)) return;
    drawnAt = Date.now();
    // \x1b[K clears what a longer earlier line left behind.
    io.stderr.write(`\r${progressLine(done, Math.max(total, done), (performance.now() - started) / 1000)}\x1b[K`);
  };
  draw(0, true);
  const produce = (write: WriteText) => writeProfilesCsv(database, options.company, query, write, { onChunk: (done) => draw(done) });

  let rows: number;
  let bytes: number;
  let file: string;
  if (options.out === '-') {
    file = '(stdout)';
    let written = 0;
    const write = stdoutWriter(io.stdout);
    rows = await produce(async (text) => {
      written += Buffer.byteLength(text);
      await write(text);
    });
    bytes = written;
  } else {
    file = resolve(options.out);
    const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
    ({ result: rows, bytes } = await writeFileFully(partial, produce));
    await publishFile(partial, file);
  }
  draw(rows, true);
  if (showProgress) io.stderr.write('\n');
  await recordAudit(database.db, options.company, { type: 'system', id: null, label: 'roster export (command line)' }, [{
    action: 'export.written',
    entityType: 'export',
    entityId: null,
    changes: { file: { before: null, after: file }, parameters: { before: null, after: parameters }, rows: { before: null, after: rows } },
  }]);
  return { rows, bytes, file, seconds: (performance.now() - started) / 1000 };
}

