import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { binaryProblem, detectDelimiter, detectEncoding, firstLine, guessField, guessMapping, headerKey, isUploadField, unclosedQuoteLine } from './csv-shape.js';

describe('finding fields by header', () => {
  it('finds the phone column by the names people give it, ignoring case, spaces, underscores and dashes', () => {
    for (const header of ['phone_number', 'Phone Number', 'PHONE', 'phone', 'Mobile', 'mobile_number', 'Mobile Number', 'cell', 'Cell Phone', 'cell_phone', 'CellPhone', ' mobile-number ', 'Telephone']) {
      expect(guessField(header, []), header).toBe('phone_number');
    }
    expect(guessField('Phone Type', [])).toBeNull();
  });

  it('finds standard fields and custom fields by name', () => {
    expect(guessField('First Name', [])).toBe('first_name');
    expect(guessField('surname', [])).toBe('last_name');
    expect(guessField('E-mail', [])).toBe('email');
    expect(guessField('ZIP', [])).toBe('postal_code');
    expect(guessField('Address 2', [])).toBe('street2');
    expect(guessField('shirt_size', ['Shirt size'])).toBe('custom:Shirt size');
    expect(guessField('custom:Shirt size', ['Shirt size'])).toBe('custom:Shirt size');
    expect(guessField('Notes', ['Shirt size'])).toBeNull();
  });

  it('gives each field to one column at most (the first)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('Phone', 'mobile', 'First', 'first_name', 'Email', 'Notes', 'Age', 'x'), { maxLength: 12 }), (headers) => {
      const fields = guessMapping(headers, ['Age']).filter((f) => f !== null);
      expect(new Set(fields).size).toBe(fields.length);
    }));
  });

  it('headerKey keeps letters and digits only, lower-cased', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      expect(headerKey(s)).toBe(headerKey(headerKey(s)));
      expect(headerKey(s)).not.toMatch(/[\s_\-.]/);
    }));
  });

  it('accepts standard keys and custom:<name> of existing fields only', () => {
    expect(isUploadField('email', [])).toBe(true);
    expect(isUploadField('custom:Age', ['Age'])).toBe(true);
    expect(isUploadField('custom:Height', ['Age'])).toBe(false);
    expect(isUploadField('status', [])).toBe(false);
  });
});

describe('reading the file’s shape', () => {
  const cell = fc.stringMatching(/^[A-Za-z0-9 ]{1,12}$/);

  it('detects the separator of the header line', () => {
    fc.assert(fc.property(fc.array(cell, { minLength: 2, maxLength: 8 }), fc.constantFrom(',', ';', '\t'), (cells, d) => {
      expect(detectDelimiter(cells.join(d))).toBe(d);
    }));
    expect(detectDelimiter('"a;b","c;d"')).toBe(',');
    expect(detectDelimiter('phone')).toBe(',');
  });

  it('calls any UTF-8 text UTF-8, and Windows-1252 text with accents Windows-1252', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => {
      expect(detectEncoding(Buffer.from(text, 'utf8'), true)).toBe('utf-8');
    }));
    fc.assert(fc.property(fc.array(cell), fc.constantFrom('é', 'ü', 'ñ', '“', '€', 'ß'), (cells, accent) => {
      expect(detectEncoding(iconv.encode(`${cells.join(',')}${accent},x\n`, 'win1252'), true)).toBe('windows-1252');
    }));
    expect(detectEncoding(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), true)).toBe('utf-8');
    // A sample cut inside a character is still UTF-8.
    expect(detectEncoding(Buffer.from('abc é').subarray(0, 5), false)).toBe('utf-8');
    expect(detectEncoding(Buffer.from('abc é').subarray(0, 5), true)).toBe('windows-1252');
  });

  it('takes the first line outside quotes, without a byte order mark', () => {
    expect(firstLine('\uFEFFa,"b\nc",d\r\n1,2,3')).toBe('a,"b\nc",d');
    expect(firstLine('only')).toBe('only');
  });

  it('finds the line an unclosed quote opens on', () => {
    expect(unclosedQuoteLine('a,b\n1,"x\n2,y\n')).toBe(2);
    expect(unclosedQuoteLine('a,b\n1,"x ""quoted"" y"\n')).toBeNull();
    expect(unclosedQuoteLine('a,b\n1,5\'10"\n')).toBeNull();
  });

  it('refuses binary data and UTF-16', () => {
    expect(binaryProblem(Buffer.from('phone\n1\n'))).toBeNull();
    expect(binaryProblem(Buffer.from([0x41, 0x00]))).toMatch(/NUL byte at byte 2/);
    expect(binaryProblem(Buffer.from([0xff, 0xfe, 0x41, 0x00]))).toMatch(/UTF-16/);
  });
});
