/**
 * Spreadsheet formula injection (OWASP "CSV Injection"): a cell that begins with =, +, -, @, tab or carriage return
 * can run as a formula when the file is opened in Excel, LibreOffice or Google Sheets. SPEC §6 neutralises such a
 * cell by prefixing a single quote, as OWASP recommends, so it is shown as text.
 *
 * The rule is made exactly reversible, for the migration import (SPEC §7) that reads these files back: a cell that
 * already begins with quotes followed by one of those characters gets one more quote, so `restoreCell` (drop one
 * leading quote when quotes are followed by a trigger) gives back every value exactly.
 *
 * Besides the ASCII characters SPEC §6 names, their full-width forms (＝ ＋ － ＠) count too: Apple Numbers folds them
 * to ASCII before deciding what is a formula (as csv-stringify's own escape_formulas notes).
 *
 * Which cells: every text cell, header included. Cells Roster writes from numbers (latitude, longitude, Age and
 * Number custom fields) are left alone: they are always a plain decimal like -77.0365, which no spreadsheet reads as
 * a formula, and prefixing them would turn every US longitude into text that no longer sorts or sums, and no longer
 * re-imports as a number. Phone numbers are digits only and never begin with a trigger.
 */

const QUOTE = 39; // '
const TRIGGERS = new Set([61, 43, 45, 64, 9, 13, 0xff1d, 0xff0b, 0xff0d, 0xff20]); // = + - @ \t \r and full-width = + - @

function startsLikeFormula(text: string): boolean {
  let i = 0;
  while (text.charCodeAt(i) === QUOTE) i++;
  return TRIGGERS.has(text.charCodeAt(i));
}

/** The cell as written to the file: prefixed with a single quote when a spreadsheet could read it as a formula. */
export function neutraliseCell(text: string): string {
  if (text.length === 0) return text;
  const first = text.charCodeAt(0);
  if (first !== QUOTE && !TRIGGERS.has(first)) return text;
  return startsLikeFormula(text) ? `'${text}` : text;
}

/** The inverse of neutraliseCell, for reading an export back: restoreCell(neutraliseCell(x)) === x for every x. */
export function restoreCell(text: string): string {
  return text.charCodeAt(0) === QUOTE && startsLikeFormula(text) ? text.slice(1) : text;
}

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One RFC 4180 record, CRLF-terminated: a cell is quoted when it holds a comma, a double quote, a CR or an LF, and
 * its quotes are doubled. Byte for byte what csv-stringify writes with record_delimiter 'windows' and
 * quote_record_delimiter (a property test holds it to that; without that option csv-stringify leaves a lone CR or LF
 * unquoted, and the file no longer parses), at a quarter of its cost per row, which was the largest part of an
 * export's own time (bench/export.ts).
 */
export function csvRecord(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  }
  return `${line}\r\n`;
}
