import type { LightMyRequestResponse } from 'fastify';
import type { ExportsHarness } from './exports.js';

/** A multipart/form-data body: text fields in order, then the file (Buffer or text). */
export function multipartBody(fields: Array<[string, string]>, file?: { name?: string; content: Buffer | string; field?: string }): { payload: Buffer; contentType: string } {
  const boundary = `----roster${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name ?? 'people.csv'}"\r\nContent-Type: text/csv\r\n\r\n`));
    parts.push(typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export interface UploadBody {
  id: number;
  file_name: string;
  group_id: number | null;
  group_name: string;
  status: string;
  phase: string;
  error: string | null;
  bytes_total: number;
  bytes_done: number;
  rows_done: number;
  progress: number;
  counts: { rows: number; created: number; updated: number; unchanged: number; rejected: number; duplicates: number };
  mapping: Record<string, string | null>;
  encoding: string | null;
  rejected_url: string | null;
}

/** POST /uploads (multipart). */
export function postUpload(h: ExportsHarness, key: string, content: Buffer | string, options: { group?: string; mapping?: unknown; name?: string } = {}): Promise<LightMyRequestResponse> {
  const fields: Array<[string, string]> = [];
  if (options.group !== undefined) fields.push(['group_name', options.group]);
  if (options.mapping !== undefined) fields.push(['mapping', typeof options.mapping === 'string' ? options.mapping : JSON.stringify(options.mapping)]);
  const body = multipartBody(fields, { content, name: options.name });
  return h.app.inject({ method: 'POST', url: '/api/v1/uploads', headers: { authorization: `Bearer ${key}`, 'content-type': body.contentType }, payload: body.payload });
}

/** Uploads, runs the queue, and answers the upload as it ended. */
export async function uploadNow(h: ExportsHarness, key: string, content: Buffer | string, options: { group?: string; mapping?: unknown } = {}): Promise<UploadBody> {
  const res = await postUpload(h, key, content, { group: 'Test group', ...options });
  if (res.statusCode !== 201) throw new Error(`POST /uploads answered ${res.statusCode}: ${res.body}`);
  const id = res.json<UploadBody>().id;
  await h.runJobs();
  return (await h.call(key, 'GET', `/api/v1/uploads/${id}`)).json<UploadBody>();
}
