// The 'max' metadata is used because it carries the full per-range validity
// patterns; the default ('min') metadata only checks lengths for many
// countries, so it would accept numbers that can never be dialled. US
// fictional 555-01xx numbers are valid under 'max', which demo data relies on.
import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
} from 'libphonenumber-js/max';

export type { CountryCode };

export type NormalisePhoneResult = { ok: true; e164: string } | { ok: false; reason: string };

// No real phone number, however generously punctuated, needs more than this;
// the cap keeps hostile input away from the parser's regexes.
const MAX_INPUT_LENGTH = 64;

const LETTER = /\p{L}/u;
// Only what people actually type around digits. Anything else (#, ;, *, commas)
// would let an extension or a second number slip in as part of the key.
const PHONE_CHARACTERS = /^[\p{Nd}\s+().\-/\p{Pd}]+$/u;

const LENGTH_REASONS: Record<string, string> = {
  NOT_A_NUMBER: 'is not a phone number',
  INVALID_COUNTRY: 'does not start with a known country calling code',
  TOO_SHORT: 'is too short to be a phone number',
  TOO_LONG: 'is too long to be a phone number',
  INVALID_LENGTH: 'has the wrong number of digits for a phone number',
};

/** Parses a phone number written in any common form into E.164, or explains why it cannot. */
export function normalisePhone(raw: string, defaultCountry: CountryCode): NormalisePhoneResult {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  if (text.length > MAX_INPUT_LENGTH) return { ok: false, reason: 'is too long to be a phone number' };
  if (LETTER.test(text)) return { ok: false, reason: 'contains letters' };
  if (!PHONE_CHARACTERS.test(text)) {
    return { ok: false, reason: 'contains characters that do not belong in a phone number' };
  }

  const lengthProblem = validatePhoneNumberLength(text, { defaultCountry });
  if (lengthProblem !== undefined) {
    return { ok: false, reason: LENGTH_REASONS[lengthProblem] ?? 'is not a valid phone number' };
  }

  // extract: false so that a number merely *contained* in the input is not accepted.
  const parsed = parsePhoneNumberFromString(text, { defaultCountry, extract: false });
  if (parsed === undefined || !parsed.isValid() || parsed.ext !== undefined) {
    // A number written with '+' was not read against the default country, so
    // naming that country in the message would mislead.
    const country = parsed?.country ?? (text.startsWith('+') ? undefined : defaultCountry);
    return {
      ok: false,
      reason: country === undefined ? 'is not a valid phone number' : `is not a valid phone number for ${country}`,
    };
  }
  return { ok: true, e164: parsed.number };
}

/** Narrows a string to a country code libphonenumber has metadata for (upper case, e.g. 'US'). */
export function isValidCountryCode(code: string): code is CountryCode {
  return isSupportedCountry(code);
}

/** The digits of an E.164 number without the '+', as exports write it. */
export function phoneDigits(e164: string): string {
  return e164.replace(/\D/g, '');
}

/** Formats an E.164 number for display: national format for the default country, international otherwise. */
export function formatPhoneForPeople(e164: string, defaultCountry?: CountryCode): string {
  const parsed = parsePhoneNumberFromString(e164, { extract: false });
  // Display must never fail; a stored value we cannot parse is still worth showing.
  if (parsed === undefined) return e164;
  if (defaultCountry !== undefined && parsed.country === defaultCountry) return parsed.formatNational();
  return parsed.formatInternational();
}

/** Strips a search term down to its digits, for partial-number matching. */
export function searchDigits(raw: string): string {
  return raw.replace(/\D/g, '');
}
