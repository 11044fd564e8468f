import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecord, neutraliseCell, restoreCell } from './csv-cells.js';

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠'];
const cellText = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom("'", '=', '+', '-', '@', '\t', '\r', 'a', '1', ' ', '"', ',') }),
  fc.tuple(fc.constantFrom(...TRIGGERS, "'", "''"), fc.string()).map(([a, b]) => a + b),
);

describe('neutraliseCell (SPEC §6, OWASP CSV injection)', () => {
  it('prefixes a quote to cells a spreadsheet would read as a formula', () => {
    expect(neutraliseCell('=HYPERLINK("http://evil","click")')).toBe(`'=HYPERLINK("http://evil","click")`);
    expect(neutraliseCell('+1 202 555 0143')).toBe("'+1 202 555 0143");
    expect(neutraliseCell('-2+3+cmd|\' /C calc\'!A0')).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(neutraliseCell('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(neutraliseCell('\t=1')).toBe("'\t=1");
    expect(neutraliseCell('\r=1')).toBe("'\r=1");
  });

  it('leaves ordinary text, empty cells and inner triggers alone', () => {
    for (const text of ['', 'Ada', 'a=b', ' =1', '12025550143', "O'Brien", "'quoted'", 'x\n=1']) expect(neutraliseCell(text)).toBe(text);
  });

  it('adds one more quote to a cell that already has quotes before a trigger, so reading back is exact', () => {
    expect(neutraliseCell("'=1")).toBe("''=1");
    expect(restoreCell("''=1")).toBe("'=1");
    expect(restoreCell("'=1")).toBe('=1');
    expect(restoreCell("'plain")).toBe("'plain");
  });

  it('round-trips every string, and never leaves a cell that starts with a trigger', () => {
    fc.assert(
      fc.property(cellText, (text) => {
        const written = neutraliseCell(text);
        expect(restoreCell(written)).toBe(text);
        expect(TRIGGERS.some((t) => written.startsWith(t))).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('csvRecord (RFC 4180)', () => {
  const cell = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom('"', ',', '\r', '\n', 'a', ' ', '🎉', "'") }), fc.string({ unit: 'binary' }));

  it('writes exactly what csv-stringify writes, and csv-parse reads back the same cells', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 2, maxLength: 8 }), (cells) => {
        const line = csvRecord(cells);
        // quote_record_delimiter: with record_delimiter set, csv-stringify otherwise leaves a lone CR or LF unquoted,
        // which csv-parse then reads as the end of the record.
        expect(line).toBe(stringify([cells], { record_delimiter: 'windows', quote_record_delimiter: true }));
        expect(parse(line)).toEqual([cells]);
      }),
      { numRuns: 2000 },
    );
  });

  it('quotes only what needs it', () => {
    expect(csvRecord(['1', 'Ada', '', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere'])).toBe('1,Ada,,"a,b","say ""hi""","two\nlines","cr\rhere"\r\n');
  });
});
