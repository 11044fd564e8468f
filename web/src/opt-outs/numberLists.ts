import { parse } from 'csv-parse/browser/esm/sync';

/** Numbers pasted one a line, or separated by commas, semicolons or tabs; blanks dropped. */
export function numbersFromText(text: string): string[] {
  return text
    .split(/[\n\r,;\t]+/)
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

/**
 * The first column of a CSV file of numbers. A first row with no digit in its first cell is a header
 * ("phone_number") and is skipped; so are empty cells.
 */
export function numbersFromCsv(text: string): string[] {
  const rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  const cells = rows.map((row) => row[0] ?? '');
  if (cells.length && !/\d/.test(cells[0]!)) cells.shift();
  return cells.filter((c) => c !== '');
}
