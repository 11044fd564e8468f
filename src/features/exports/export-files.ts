import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * Where export files live: `<data dir>/exports/<company id>/<32 hex>.csv`. The name is a random token chosen when the
 * export is created and kept in the exports row; paths are never built from anything a person typed. A file is
 * written as `<token>.<random>.csv.partial` and renamed to its final name only once complete and on disk, so a
 * worker killed mid-write (kill -9, power loss) leaves at worst a .partial, which the next attempt removes.
 */

const FILE_NAME = /^[0-9a-f]{32}\.csv$/;

export function newExportFileName(): string {
  return `${randomBytes(16).toString('hex')}.csv`;
}

export function exportDirectory(dataDir: string, companyId: number): string {
  if (!Number.isSafeInteger(companyId) || companyId < 1) throw new Error(`not a company id: ${companyId}`);
  return join(resolve(dataDir), 'exports', String(companyId));
}

function checkedName(fileName: string): string {
  if (!FILE_NAME.test(fileName)) throw new Error(`not an export file name: ${JSON.stringify(fileName)}`);
  return fileName;
}

/** The finished file of an export. */
export function exportFilePath(dataDir: string, companyId: number, fileName: string): string {
  return join(exportDirectory(dataDir, companyId), checkedName(fileName));
}

/** A fresh name for one attempt's file in progress (two overlapping attempts never share one). */
export function partialFilePath(dataDir: string, companyId: number, fileName: string): string {
  const base = checkedName(fileName).slice(0, -'.csv'.length);
  return join(exportDirectory(dataDir, companyId), `${base}.${randomBytes(6).toString('hex')}.csv.partial`);
}

/** Removes every attempt's file in progress for this export (a killed worker's leftovers). */
export async function removePartialFiles(dataDir: string, companyId: number, fileName: string): Promise<number> {
  const dir = exportDirectory(dataDir, companyId);
  const prefix = `${checkedName(fileName).slice(0, -'.csv'.length)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const partials = names.filter((n) => n.startsWith(prefix) && n.endsWith('.csv.partial'));
  await Promise.all(partials.map((n) => rm(join(dir, n), { force: true })));
  return partials.length;
}

/** Removes an export's finished file and any files in progress; a missing file is not an error. */
export async function removeExportFiles(dataDir: string, companyId: number, fileName: string): Promise<void> {
  await rm(exportFilePath(dataDir, companyId, fileName), { force: true });
  await removePartialFiles(dataDir, companyId, fileName);
}

/** Size of the finished file, or null when it is not there. */
export async function exportFileSize(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Appends text to the file being written; resolves once the OS has it (natural backpressure). */
export type WriteText = (text: string) => Promise<void>;

/**
 * Creates `partialPath` (never an existing file), lets `produce` write to it, then flushes it to disk and closes it.
 * On any error the partial file is removed. Renaming it to its final name is the caller's step.
 */
export async function writeFileFully<T>(partialPath: string, produce: (write: WriteText) => Promise<T>): Promise<{ result: T; bytes: number }> {
  await mkdir(join(partialPath, '..'), { recursive: true });
  const handle = await open(partialPath, 'wx', 0o600);
  let bytes = 0;
  try {
    const result = await produce(async (text) => {
      const buffer = Buffer.from(text, 'utf8');
      let offset = 0;
      while (offset < buffer.length) offset += (await handle.write(buffer, offset)).bytesWritten;
      bytes += buffer.length;
    });
    await handle.sync();
    await handle.close();
    return { result, bytes };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partialPath, { force: true });
    throw error;
  }
}

/** Moves a complete file into place in one step (replacing an earlier attempt's complete file, if any). */
export async function publishFile(partialPath: string, finalPath: string): Promise<void> {
  await rename(partialPath, finalPath);
  // The rename reaches the disk with its directory; without this a power cut could undo it (a kill -9 cannot).
  const directory = await open(dirname(finalPath), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
