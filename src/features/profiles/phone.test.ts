import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatPhoneForPeople,
  isValidCountryCode,
  normalisePhone,
  phoneDigits,
  searchDigits,
  type CountryCode,
} from './phone.js';

function e164Of(raw: string, country: CountryCode = 'US'): string {
  const result = normalisePhone(raw, country);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(raw)} to normalise, got: ${result.reason}`);
  return result.e164;
}

function reasonFor(raw: string, country: CountryCode = 'US'): string {
  const result = normalisePhone(raw, country);
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be rejected, got ${result.e164}`);
  return result.reason;
}

describe('normalisePhone', () => {
  it.each([
    '(202) 555-0143',
    '202.555.0143',
    '+1 202 555 0143',
    '12025550143',
    '1-202-555-0143',
    '202 555 0143',
    '2025550143',
    '+12025550143',
    '1 (202) 555-0143',
    '+1 (202) 555-0143',
    '202/555-0143',
    '202\u2013555\u20130143',
    '\u00a0202 555 0143\t',
    '  (202) 555-0143  \n',
  ])('accepts %j as +12025550143', (raw) => {
    expect(e164Of(raw)).toBe('+12025550143');
  });

  it('accepts US fictional 555-01xx numbers, which demo data depends on', () => {
    for (let line = 100; line <= 199; line++) {
      expect(e164Of(`212-555-0${line}`)).toBe(`+1212555${String(line).padStart(4, '0')}`);
    }
  });

  it('reads numbers written with + against their own country, not the default', () => {
    expect(e164Of('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(e164Of('+1 202 555 0143', 'GB')).toBe('+12025550143');
  });

  it('reads national numbers against the default country', () => {
    expect(e164Of('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(e164Of('011 44 20 7946 0958', 'US')).toBe('+442079460958');
  });

  it('is idempotent on its own output', () => {
    expect(e164Of(e164Of('(202) 555-0143'))).toBe('+12025550143');
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['abc', 'contains letters'],
    ['1 Main Street', 'contains letters'],
    ['202-555-0143 ext 5', 'contains letters'],
    ['2025550143x12', 'contains letters'],
    ['202-CALL-NOW', 'contains letters'],
    ['2025550143#12', 'contains characters that do not belong in a phone number'],
    ['202,555,0143', 'contains characters that do not belong in a phone number'],
    ['202*555*0143', 'contains characters that do not belong in a phone number'],
    ['123', 'is too short to be a phone number'],
    ['202 555 0143 212 555 0199', 'is too long to be a phone number'],
    ['+1 000 000 0000', 'is not a valid phone number'],
    ['000 000 0000', 'is not a valid phone number for US'],
    ['555 555 0143', 'is not a valid phone number for US'],
    ['+999 1234', 'does not start with a known country calling code'],
    ['+', 'is not a phone number'],
    ['1+2025550143', 'is not a phone number'],
    ['++12025550143', 'is not a phone number'],
  ])('rejects %j: %s', (raw, reason) => {
    expect(reasonFor(raw)).toBe(reason);
  });

  it('names the default country when a national number is invalid there', () => {
    expect(reasonFor('010 0000 0000', 'GB')).toBe('is not a valid phone number for GB');
  });

  it('rejects absurdly long input before parsing it', () => {
    expect(reasonFor('1'.repeat(65))).toBe('is too long to be a phone number');
    expect(reasonFor(' '.repeat(30) + '(202) 555-0143' + '-'.repeat(60))).toBe('is too long to be a phone number');
    expect(reasonFor('a'.repeat(1_000_000))).toBe('is too long to be a phone number');
  });

  it('does not count surrounding whitespace towards the length limit', () => {
    expect(e164Of(' '.repeat(100) + '202 555 0143' + ' '.repeat(100))).toBe('+12025550143');
  });
});

describe('isValidCountryCode', () => {
  it('accepts supported upper-case codes', () => {
    expect(isValidCountryCode('US')).toBe(true);
    expect(isValidCountryCode('GB')).toBe(true);
    expect(isValidCountryCode('CA')).toBe(true);
  });

  it.each(['us', 'XX', '', 'USA', 'U', '1'])('rejects %j', (code) => {
    expect(isValidCountryCode(code)).toBe(false);
  });
});

describe('phoneDigits', () => {
  it('drops the plus', () => {
    expect(phoneDigits('+12025550143')).toBe('12025550143');
    expect(phoneDigits('+442079460958')).toBe('442079460958');
  });
});

describe('formatPhoneForPeople', () => {
  it('uses national format for numbers in the default country', () => {
    expect(formatPhoneForPeople('+12025550143', 'US')).toBe('(202) 555-0143');
    expect(formatPhoneForPeople('+442079460958', 'GB')).toBe('020 7946 0958');
  });

  it('uses international format for numbers elsewhere', () => {
    expect(formatPhoneForPeople('+442079460958', 'US')).toBe('+44 20 7946 0958');
    // Canada shares +1 with the US but is still another country.
    expect(formatPhoneForPeople('+14165550100', 'US')).toBe('+1 416 555 0100');
  });

  it('uses international format when no default country is given', () => {
    expect(formatPhoneForPeople('+12025550143')).toBe('+1 202 555 0143');
  });

  it('shows unparseable stored values as they are rather than failing', () => {
    expect(formatPhoneForPeople('garbage', 'US')).toBe('garbage');
    expect(formatPhoneForPeople('', 'US')).toBe('');
  });
});

describe('searchDigits', () => {
  it.each([
    ['(202) 555-01', '20255501'],
    ['+1 202', '1202'],
    ['555.01', '55501'],
    ['no digits', ''],
    ['', ''],
  ])('%j → %j', (raw, digits) => {
    expect(searchDigits(raw)).toBe(digits);
  });
});

describe('properties', () => {
  const AREA_CODES = ['202', '212', '312', '415', '617', '718', '305', '512', '646', '917'] as const;

  const digits = (count: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: count, maxLength: count }).map((d) => d.join(''));

  // Either a fictional 555-01xx line or an ordinary-looking NXX exchange (not N11, not 555).
  const localNumber = fc.oneof(
    fc.integer({ min: 100, max: 199 }).map((line) => ({ exchange: '555', line: `0${line}` })),
    fc
      .tuple(fc.integer({ min: 2, max: 9 }), digits(2), digits(4))
      .map(([n, xx, line]) => ({ exchange: `${n}${xx}`, line }))
      .filter(({ exchange }) => !exchange.endsWith('11') && exchange !== '555'),
  );

  const usNumber = fc
    .tuple(fc.constantFrom(...AREA_CODES), localNumber)
    .map(([area, { exchange, line }]) => ({ area, exchange, line, e164: `+1${area}${exchange}${line}` }));

  const separator = fc.constantFrom('', ' ', '-', '.');
  const prefix = fc.constantFrom('', '1', '1 ', '1-', '1.', '+1', '+1 ', '+1-', '+1.');
  const padding = fc.constantFrom('', ' ', '  ', '\t', '\n');

  const writtenForm = fc
    .tuple(usNumber, prefix, fc.boolean(), separator, separator, padding, padding)
    .map(([number, pre, parenthesised, sep1, sep2, lead, trail]) => {
      const area = parenthesised ? `(${number.area})${sep1 === '' ? '' : ' '}` : `${number.area}${sep1}`;
      return { e164: number.e164, written: `${lead}${pre}${area}${number.exchange}${sep2}${number.line}${trail}` };
    });

  it('every written form of a valid US number normalises to the same E.164', () => {
    fc.assert(
      fc.property(writtenForm, ({ e164, written }) => {
        expect(normalisePhone(written, 'US')).toEqual({ ok: true, e164 });
      }),
    );
  });

  it('normalising an E.164 result again is idempotent', () => {
    fc.assert(
      fc.property(writtenForm, ({ written }) => {
        const first = e164Of(written);
        expect(e164Of(first)).toBe(first);
        expect(e164Of(first, 'GB')).toBe(first);
      }),
    );
  });

  it('phoneDigits output normalises back to the same E.164', () => {
    fc.assert(
      fc.property(usNumber, ({ e164 }) => {
        expect(e164Of(phoneDigits(e164))).toBe(e164);
      }),
    );
  });

  it('the display form normalises back to the same E.164', () => {
    fc.assert(
      fc.property(usNumber, fc.constantFrom<CountryCode>('US', 'GB'), ({ e164 }, country) => {
        expect(e164Of(formatPhoneForPeople(e164, country), 'US')).toBe(e164);
      }),
    );
  });

  it('searchDigits of any written form is a substring-friendly digit string containing the national number', () => {
    fc.assert(
      fc.property(writtenForm, ({ e164, written }) => {
        const found = searchDigits(written);
        expect(found).toMatch(/^\d*$/);
        expect(found.endsWith(e164.slice(2))).toBe(true);
      }),
    );
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.constantFrom<CountryCode>('US', 'GB', 'DE'), (raw, country) => {
        const result = normalisePhone(raw, country);
        if (result.ok) expect(result.e164).toMatch(/^\+\d{8,15}$/);
        else expect(result.reason.length).toBeGreaterThan(0);
      }),
    );
  });

  it('never accepts input containing letters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
        fc.constantFrom('a', 'x', 'E', 'é', 'ж'),
        fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
        (before, letter, after) => {
          expect(normalisePhone(`${before}${letter}${after}`, 'US').ok).toBe(false);
        },
      ),
    );
  });
});
