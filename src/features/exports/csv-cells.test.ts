import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, restoreCell } from './csv-cells.js';

const TRIGGERS = ['=', '+', '-', '@', '\t', '\r'];
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
