import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

/**
 * Where uploaded files wait for their job: `<data dir>/uploads/<company id>/<32 hex>.csv`. The name is a random token
 * chosen when the file arrives and kept in the uploads row; paths are never built from anything a person typed.
 */
const STORED_NAME = /^[0-9a-f]{32}\.csv$/;

export function newStoredName(): string {
  return `${randomBytes(16).toString('hex')}.csv`;
}

export function uploadDirectory(dataDir: string, companyId: number): string {
  if (!Number.isSafeInteger(companyId) || companyId < 1) throw new Error(`not a company id: ${companyId}`);
  return join(resolve(dataDir), 'uploads', String(companyId));
}

/** The stored file of an upload. */
export function uploadFilePath(dataDir: string, companyId: number, storedName: string): string {
  if (!STORED_NAME.test(storedName)) throw new Error(`not an upload file name: ${JSON.stringify(storedName)}`);
  return join(uploadDirectory(dataDir, companyId), storedName);
}
