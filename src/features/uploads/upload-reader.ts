import { createReadStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import iconv from 'iconv-lite';
import { AppError } from '../../errors.js';
import { binaryProblem, type Delimiter, type UploadEncoding } from './csv-shape.js';

/** One data record of the file: its row number as a person counts it (the header is row 1) and its cells. */
export interface CsvRecord {
  rowNumber: number;
  cells: string[];
}

/** No sane record comes near this; an unbalanced quote swallowing the rest of the file does. */
export const MAX_RECORD_CHARS = 1_000_000;

/** The file is not valid UTF-8 after all (seen past the sample): read it again as Windows-1252. */
export class NotUtf8Error extends Error {
  constructor(readonly byteOffset: number) {
    super(`not UTF-8 near byte ${byteOffset}`);
  }
}

/** Bytes to text, refusing binary data; UTF-8 strictly (so a Windows-1252 file is noticed), a BOM dropped. */
function decoder(encoding: UploadEncoding, onBytes: (n: number) => void): Transform {
  let offset = 0;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const win = iconv.getDecoder('win1252');
  return new Transform({
    readableObjectMode: false,
    decodeStrings: true,
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      // binaryProblem counts bytes from the chunk's start; the message names the byte in the file.
      const problem = binaryProblem(offset === 0 ? chunk : chunk.subarray(0, 0)) ?? (chunk.includes(0) ? binaryProblem(chunk) : null);
      if (problem) return done(new AppError('invalid_input', `${problem.replace(/at byte (\d+)/, (_, n: string) => `at byte ${offset + Number(n)}`)}. Nothing was imported.`));
      try {
        const text = encoding === 'utf-8' ? utf8.decode(chunk, { stream: true }) : win.write(chunk);
        offset += chunk.length;
        onBytes(offset);
        done(null, text);
      } catch {
        done(new NotUtf8Error(offset));
      }
    },
    flush(done: TransformCallback) {
      try {
        done(null, encoding === 'utf-8' ? utf8.decode() : (win.end() ?? ''));
      } catch {
        done(new NotUtf8Error(offset));
      }
    },
  });
}

/** A csv-parse error as a person can act on it. */
function describeCsvError(error: unknown, lastGoodLine: number): AppError {
  const e = error as { code?: string; message?: string; lines?: number };
  const line = e.lines ? ` (line ${e.lines})` : '';
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new AppError('invalid_input', `The file has an opening quote that is never closed (in the row after line ${lastGoodLine}): every quoted cell must end with a quote. Nothing was imported.`);
    case 'CSV_MAX_RECORD_SIZE':
      return new AppError('invalid_input', `A row is longer than ${MAX_RECORD_CHARS.toLocaleString('en-US')} characters${line}, usually an unbalanced quote. Nothing was imported.`);
    default:
      return new AppError('invalid_input', `The file could not be read as CSV${line}: ${e.message ?? String(error)}. Nothing was imported.`);
  }
}

function newlines(cells: readonly string[]): number {
  let n = 0;
  for (const cell of cells) for (let i = cell.indexOf('\n'); i !== -1; i = cell.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Streams a CSV file's records in batches: the header first (as row 1), then data records. Blank lines and rows
 * with nothing but separators are skipped; rows may have fewer or more cells than the header. Memory holds one
 * batch and the parser's buffer, whatever the file's size.
 */
export async function* readCsvBatches(
  path: string,
  options: { encoding: UploadEncoding; delimiter: Delimiter; batchRows: number; onBytes?: (bytes: number) => void; signal?: AbortSignal },
): AsyncGenerator<CsvRecord[], void, undefined> {
  const source = createReadStream(path, { highWaterMark: 256 * 1024, signal: options.signal });
  const parser = parse({
    delimiter: options.delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    max_record_size: MAX_RECORD_CHARS,
    info: true,
  });
  const text = decoder(options.encoding, options.onBytes ?? (() => {}));
  // Errors of either stage end the parser, so the loop below sees them.
  source.on('error', (error) => parser.destroy(error));
  text.on('error', (error) => parser.destroy(error));
  source.pipe(text).pipe(parser);
  let batch: CsvRecord[] = [];
  let lastGoodLine = 0;
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      // The line the record starts on: where it ended, less the line breaks inside its quoted cells.
      batch.push({ rowNumber: item.info.lines - newlines(item.record), cells: item.record });
      lastGoodLine = item.info.lines;
      if (batch.length >= options.batchRows) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    if (error instanceof AppError || error instanceof NotUtf8Error || (error as Error).name === 'AbortError') throw error;
    if ((error as { code?: string }).code?.startsWith('CSV_')) throw describeCsvError(error, lastGoodLine);
    throw error;
  } finally {
    source.destroy();
  }
  if (batch.length) yield batch;
}
