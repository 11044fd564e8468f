import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GENDER_OPTIONS,
  FIELD_TYPE_LABELS,
  FIELD_TYPES,
  describeAccepted,
  formatFieldValueForCsv,
  fromStored,
  isFieldType,
  parseFieldValue,
  toStored,
  type CanonicalValue,
  type FieldType,
} from './field-types.js';

function valueOf(type: FieldType, raw: unknown, genderOptions?: readonly string[]): CanonicalValue {
  const result = parseFieldValue(type, raw, { genderOptions });
  if (!result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be a valid ${type}, accepted: ${result.accepted}`);
  return result.value;
}

function expectRejected(type: FieldType, raw: unknown, genderOptions?: readonly string[]): string {
  const result = parseFieldValue(type, raw, { genderOptions });
  if (result.ok) throw new Error(`expected ${String(raw)} to be rejected as ${type}, got ${JSON.stringify(result.value)}`);
  return result.accepted;
}

describe('field type catalogue', () => {
  it('lists the seven types in order with their labels', () => {
    expect(FIELD_TYPES).toEqual(['age', 'date', 'gender', 'number', 'text', 'time_of_day', 'yes_no']);
    expect(FIELD_TYPE_LABELS).toEqual({
      age: 'Age',
      date: 'Date',
      gender: 'Gender',
      number: 'Number',
      text: 'Text',
      time_of_day: 'Time of Day',
      yes_no: 'Yes/No',
    });
  });

  it('isFieldType recognises exactly the ids', () => {
    for (const type of FIELD_TYPES) expect(isFieldType(type)).toBe(true);
    for (const other of ['Age', 'time', 'yesno', '', 'boolean']) expect(isFieldType(other)).toBe(false);
  });

  it('has the default gender options', () => {
    expect(DEFAULT_GENDER_OPTIONS).toEqual(['Female', 'Male', 'Non-binary', 'Other', 'Prefer not to say']);
  });
});

describe('clearing values', () => {
  it.each(FIELD_TYPES)('null clears a %s field', (type) => {
    expect(parseFieldValue(type, null)).toEqual({ ok: true, value: null });
  });

  it.each(FIELD_TYPES.filter((type) => type !== 'text'))('blank strings clear a %s field', (type) => {
    for (const blank of ['', ' ', '\t\n ']) expect(parseFieldValue(type, blank)).toEqual({ ok: true, value: null });
  });

  it('keeps blank strings for text, which stores faithfully', () => {
    expect(valueOf('text', '')).toBe('');
    expect(valueOf('text', '   ')).toBe('   ');
  });

  it.each(FIELD_TYPES)('undefined is not a value for %s', (type) => {
    expectRejected(type, undefined);
  });
});

describe('age', () => {
  it.each([
    [42, 42],
    ['42', 42],
    [' 42 ', 42],
    [0, 0],
    ['0', 0],
    [150, 150],
    ['007', 7],
    [42.0, 42],
    [-0, 0],
  ])('%j → %j', (raw, value) => {
    expect(Object.is(valueOf('age', raw), value)).toBe(true);
  });

  it.each([42.5, -1, 151, 'forty', '42.5', '-1', '151', '+42', '4 2', '1e2', Number.NaN, Infinity, true, [], {}])(
    'rejects %j',
    (raw) => {
      expect(expectRejected('age', raw)).toBe('a whole number from 0 to 150');
    },
  );
});

describe('date', () => {
  it.each([
    ['2023-02-28', '2023-02-28'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['  2023-12-31 ', '2023-12-31'],
    ['3/7/2023', '2023-03-07'],
    ['03/07/2023', '2023-03-07'],
    ['12/31/1999', '1999-12-31'],
    ['1/1/1000', '1000-01-01'],
    ['9999-12-31', '9999-12-31'],
  ])('%j → %j', (raw, value) => {
    expect(valueOf('date', raw)).toBe(value);
  });

  it.each([
    '2023-02-30',
    '2023-02-29',
    '1900-02-29',
    '2023-04-31',
    '2023-13-01',
    '2023-00-10',
    '2023-01-00',
    '13/1/2020',
    '0/1/2020',
    '2/30/2020',
    '0999-01-01',
    '1/1/999',
    '12345-01-01',
    '2023-1-5',
    '2023/01/05',
    '5.1.2023',
    '1/1/23',
    'yesterday',
    '2023-01-05T00:00:00Z',
    20230105,
    new Date(2023, 0, 5),
  ])('rejects %j', (raw) => {
    expect(expectRejected('date', raw)).toBe('a date as YYYY-MM-DD or M/D/YYYY');
  });
});

describe('gender', () => {
  it.each([
    ['Female', 'Female'],
    ['female', 'Female'],
    ['  MALE ', 'Male'],
    ['non-binary', 'Non-binary'],
    ['prefer NOT to say', 'Prefer not to say'],
    ['F', 'Female'],
    ['f', 'Female'],
    ['M', 'Male'],
    [' m ', 'Male'],
  ])('%j → %j with the default options', (raw, value) => {
    expect(valueOf('gender', raw)).toBe(value);
  });

  it.each(['Fem', 'X', 'Nonbinary', 'woman', 1, true])('rejects %j with the default options', (raw) => {
    expect(expectRejected('gender', raw)).toBe(
      'one of Female, Male, Non-binary, Other, Prefer not to say (F and M accepted)',
    );
  });

  it('uses the company’s own options and spelling', () => {
    const options = ['woman', 'man', 'Two-Spirit'];
    expect(valueOf('gender', 'TWO-SPIRIT', options)).toBe('Two-Spirit');
    expect(valueOf('gender', 'Woman', options)).toBe('woman');
    // F/M are shortcuts for Female/Male only, not for any option starting with those letters.
    expect(expectRejected('gender', 'F', options)).toBe('one of woman, man, Two-Spirit');
    expect(expectRejected('gender', 'Female', options)).toBe('one of woman, man, Two-Spirit');
  });

  it('only offers F or M when the matching option exists', () => {
    const options = ['Female', 'Other'];
    expect(valueOf('gender', 'f', options)).toBe('Female');
    expect(expectRejected('gender', 'M', options)).toBe('one of Female, Other (F accepted)');
    expect(describeAccepted('gender', { genderOptions: ['male'] })).toBe('one of male (M accepted)');
  });

  it('prefers an option spelled exactly F over the Female shortcut', () => {
    expect(valueOf('gender', 'F', ['Female', 'F'])).toBe('F');
    expect(valueOf('gender', 'f', ['Female', 'F'])).toBe('F');
  });

  it('maps options differing only by case to themselves', () => {
    expect(valueOf('gender', 'male', ['Male', 'male'])).toBe('male');
    expect(valueOf('gender', 'Male', ['Male', 'male'])).toBe('Male');
  });

  it('accepts nothing when no options are defined', () => {
    expect(expectRejected('gender', 'Female', [])).toBe('nothing yet (this field has no options)');
  });
});

describe('number', () => {
  it.each([
    ['3.14', 3.14],
    ['-2', -2],
    ['+2', 2],
    [' 10 ', 10],
    ['.5', 0.5],
    ['5.', 5],
    ['0007.50', 7.5],
    ['-0', 0],
    [42, 42],
    [-1.5, -1.5],
    [1e21, 1e21],
    [-0, 0],
  ])('%j → %j', (raw, value) => {
    expect(Object.is(valueOf('number', raw), value)).toBe(true);
  });

  it.each(['1e3', '1,000', '3,14', '.', '-', 'abc', '0x10', '1_000', '--1', '1.2.3', '9'.repeat(400), Number.NaN, Infinity, -Infinity, true, [1]])(
    'rejects %j',
    (raw) => {
      expect(expectRejected('number', raw)).toBe('a decimal number');
    },
  );
});

describe('text', () => {
  it('stores exactly what was given', () => {
    for (const raw of ['hello', '  padded  ', 'line\nbreak', 'emoji 😀', 'x'.repeat(2000)]) {
      expect(valueOf('text', raw)).toBe(raw);
    }
  });

  it('counts the limit in code points, not UTF-16 units', () => {
    expect(valueOf('text', '😀'.repeat(2000))).toBe('😀'.repeat(2000));
    expect(expectRejected('text', '😀'.repeat(2001))).toBe('text of at most 2,000 characters');
    expect(expectRejected('text', 'x'.repeat(2001))).toBe('text of at most 2,000 characters');
    expect(expectRejected('text', 'x'.repeat(1_000_000))).toBe('text of at most 2,000 characters');
  });

  it.each([42, true, { text: 'x' }, ['x']])('rejects non-string %j', (raw) => {
    expectRejected('text', raw);
  });

  it('rejects text that cannot be stored faithfully', () => {
    expectRejected('text', 'nul\0byte');
    expectRejected('text', 'lone \ud83d surrogate');
  });
});

describe('time of day', () => {
  it.each([
    ['19:05', '19:05'],
    ['7:05', '07:05'],
    ['07:05', '07:05'],
    ['0:00', '00:00'],
    ['23:59', '23:59'],
    ['7pm', '19:00'],
    ['7 pm', '19:00'],
    ['7PM', '19:00'],
    ['7:30 PM', '19:30'],
    ['7:30pm', '19:30'],
    ['7:30 p.m.', '19:30'],
    ['7am', '07:00'],
    ['11:59 pm', '23:59'],
    ['12am', '00:00'],
    ['12:15 AM', '00:15'],
    ['12pm', '12:00'],
    ['12:45 pm', '12:45'],
    [' 9:00 ', '09:00'],
  ])('%j → %j', (raw, value) => {
    expect(valueOf('time_of_day', raw)).toBe(value);
  });

  it.each(['24:00', '7:60', '13pm', '0am', '0:30 pm', '7', '700', '7:5', '19:05:00', 'noon', '7:30 xm', 1900, true])(
    'rejects %j',
    (raw) => {
      expect(expectRejected('time_of_day', raw)).toBe('a time as HH:MM (24 h), 7pm or 7:30 PM');
    },
  );
});

describe('yes/no', () => {
  it.each([
    [true, true],
    [false, false],
    [1, true],
    [0, false],
    ['yes', true],
    ['YES', true],
    [' Yes ', true],
    ['y', true],
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['no', false],
    ['N', false],
    ['false', false],
    ['0', false],
  ])('%j → %j', (raw, value) => {
    expect(valueOf('yes_no', raw)).toBe(value);
  });

  it.each([2, -1, 0.5, 'maybe', 'yess', 'on', 'off', 'ja', {}])('rejects %j', (raw) => {
    expect(expectRejected('yes_no', raw)).toBe('yes/no, y/n, true/false or 1/0');
  });
});

describe('storage', () => {
  it.each<[FieldType, Exclude<CanonicalValue, null>, { text: string; number: number | null }]>([
    ['age', 42, { text: '42', number: 42 }],
    ['number', -3.25, { text: '-3.25', number: -3.25 }],
    ['number', 1e21, { text: '1000000000000000000000', number: 1e21 }],
    ['number', 1.5e-7, { text: '0.00000015', number: 1.5e-7 }],
    ['number', -1.234e25, { text: '-12340000000000000000000000', number: -1.234e25 }],
    ['date', '2023-03-07', { text: '2023-03-07', number: null }],
    ['time_of_day', '00:00', { text: '00:00', number: 0 }],
    ['time_of_day', '19:30', { text: '19:30', number: 1170 }],
    ['time_of_day', '23:59', { text: '23:59', number: 1439 }],
    ['yes_no', true, { text: 'true', number: 1 }],
    ['yes_no', false, { text: 'false', number: 0 }],
    ['gender', 'Female', { text: 'Female', number: null }],
    ['text', ' as given ', { text: ' as given ', number: null }],
  ])('%s %j is stored as %j', (type, value, stored) => {
    expect(toStored(type, value)).toEqual(stored);
    expect(fromStored(type, stored.text)).toEqual(value);
  });

  it.each<[FieldType, Exclude<CanonicalValue, null>]>([
    ['age', '42'],
    ['number', Number.NaN],
    ['number', true],
    ['date', 20230307],
    ['time_of_day', '7pm'],
    ['time_of_day', 1170],
    ['yes_no', 'true'],
    ['text', 1],
  ])('refuses to store non-canonical %s value %j', (type, value) => {
    expect(() => toStored(type, value)).toThrow(TypeError);
  });

  it.each<[FieldType, string]>([
    ['age', 'abc'],
    ['number', ''],
    ['number', 'Infinity'],
    ['yes_no', 'yes'],
  ])('fromStored reports corrupt %s text %j', (type, text) => {
    expect(() => fromStored(type, text)).toThrow(/corrupt/);
  });
});

describe('formatFieldValueForCsv', () => {
  it.each<[FieldType, CanonicalValue, string]>([
    ['yes_no', true, 'Yes'],
    ['yes_no', false, 'No'],
    ['age', 42, '42'],
    ['number', 1e21, '1000000000000000000000'],
    ['number', -0.5, '-0.5'],
    ['date', '2023-03-07', '2023-03-07'],
    ['time_of_day', '07:05', '07:05'],
    ['gender', 'Non-binary', 'Non-binary'],
    ['text', 'a, "quoted" cell', 'a, "quoted" cell'],
  ])('%s %j → %j', (type, value, cell) => {
    expect(formatFieldValueForCsv(type, value)).toBe(cell);
  });

  it.each(FIELD_TYPES)('null is an empty %s cell', (type) => {
    expect(formatFieldValueForCsv(type, null)).toBe('');
  });
});

describe('properties', () => {
  const genderOptions = fc.uniqueArray(
    fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim() !== ''),
    { minLength: 1, maxLength: 8, selector: (s) => s.trim().toLowerCase() },
  );

  const isoDate = fc
    .record({
      year: fc.integer({ min: 1000, max: 9999 }),
      month: fc.integer({ min: 1, max: 12 }),
      day: fc.integer({ min: 1, max: 31 }),
    })
    .filter(({ year, month, day }) => new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day)
    .map(({ year, month, day }) => ({
      year,
      month,
      day,
      iso: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    }));

  const time = fc.record({ hours: fc.integer({ min: 0, max: 23 }), minutes: fc.integer({ min: 0, max: 59 }) });
  const hhmm = ({ hours, minutes }: { hours: number; minutes: number }) =>
    `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;

  const finiteNumber = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => n + 0);
  const storableText = fc.string({ unit: 'binary', maxLength: 2000 }).filter((s) => !s.includes('\0'));

  const canonical: { [T in FieldType]: fc.Arbitrary<Exclude<CanonicalValue, null>> } = {
    age: fc.integer({ min: 0, max: 150 }),
    date: isoDate.map((d) => d.iso),
    gender: fc.constantFrom(...DEFAULT_GENDER_OPTIONS),
    number: finiteNumber,
    text: storableText,
    time_of_day: time.map(hhmm),
    yes_no: fc.boolean(),
  };

  it.each(FIELD_TYPES)('canonical %s values are fixed points of parseFieldValue', (type) => {
    fc.assert(
      fc.property(canonical[type], (value) => {
        expect(parseFieldValue(type, value)).toEqual({ ok: true, value });
      }),
    );
  });

  it.each(FIELD_TYPES)('fromStored inverts toStored for %s', (type) => {
    fc.assert(
      fc.property(canonical[type], (value) => {
        expect(fromStored(type, toStored(type, value).text)).toEqual(value);
      }),
    );
  });

  it.each(FIELD_TYPES)('CSV cells for %s re-import to the same value', (type) => {
    fc.assert(
      fc.property(canonical[type], (value) => {
        // Blank text exports as an empty cell, which is indistinguishable from null.
        fc.pre(!(type === 'text' && value === ''));
        expect(parseFieldValue(type, formatFieldValueForCsv(type, value))).toEqual({ ok: true, value });
      }),
    );
  });

  it('company gender options are fixed points too', () => {
    fc.assert(
      fc.property(genderOptions, fc.nat(), (options, index) => {
        const option = options[index % options.length] as string;
        expect(parseFieldValue('gender', option, { genderOptions: options })).toEqual({ ok: true, value: option });
      }),
    );
  });

  it('the numeric column orders numbers and times like their values', () => {
    fc.assert(
      fc.property(time, time, (a, b) => {
        const sa = toStored('time_of_day', hhmm(a));
        const sb = toStored('time_of_day', hhmm(b));
        expect(Math.sign((sa.number ?? 0) - (sb.number ?? 0))).toBe(Math.sign(hhmm(a).localeCompare(hhmm(b))));
      }),
    );
  });

  it('M/D/YYYY dates, padded or not, parse to the ISO form', () => {
    fc.assert(
      fc.property(isoDate, fc.boolean(), fc.boolean(), ({ year, month, day, iso }, padMonth, padDay) => {
        const m = padMonth ? String(month).padStart(2, '0') : String(month);
        const d = padDay ? String(day).padStart(2, '0') : String(day);
        expect(valueOf('date', `${m}/${d}/${year}`)).toBe(iso);
        expect(valueOf('date', iso)).toBe(iso);
      }),
    );
  });

  it('h:mm am/pm maps to the right 24 h time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom('am', 'pm', 'AM', 'PM', 'a.m.', 'P.M.'),
        fc.constantFrom('', ' '),
        fc.boolean(),
        (hour, minutes, suffix, space, omitZeroMinutes) => {
          const clock = omitZeroMinutes && minutes === 0 ? `${hour}` : `${hour}:${String(minutes).padStart(2, '0')}`;
          const pm = suffix.toLowerCase().startsWith('p');
          const hours = (hour % 12) + (pm ? 12 : 0);
          expect(valueOf('time_of_day', `${clock}${space}${suffix}`)).toBe(hhmm({ hours, minutes }));
        },
      ),
    );
  });

  it('24 h times parse with or without a leading zero', () => {
    fc.assert(
      fc.property(time, ({ hours, minutes }) => {
        const expected = hhmm({ hours, minutes });
        expect(valueOf('time_of_day', `${hours}:${String(minutes).padStart(2, '0')}`)).toBe(expected);
      }),
    );
  });

  it('numbers written as plain decimal strings parse to the same number', () => {
    fc.assert(
      fc.property(finiteNumber, (n) => {
        expect(valueOf('number', toStored('number', n).text)).toBe(n);
      }),
    );
  });

  it.each(FIELD_TYPES)('never throws for arbitrary strings as %s', (type) => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.option(genderOptions, { nil: undefined }), (raw, options) => {
        const result = parseFieldValue(type, raw, { genderOptions: options });
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.accepted.length).toBeGreaterThan(0);
      }),
    );
  });

  it.each(FIELD_TYPES)('never throws for arbitrary values as %s', (type) => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true }), (raw) => {
        const result = parseFieldValue(type, raw);
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });

  it.each(FIELD_TYPES)('every accepted %s value is canonical and storable', (type) => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (raw) => {
        const result = parseFieldValue(type, raw);
        if (!result.ok || result.value === null) return;
        expect(parseFieldValue(type, result.value)).toEqual(result);
        expect(fromStored(type, toStored(type, result.value).text)).toEqual(result.value);
      }),
    );
  });
});
