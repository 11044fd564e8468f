import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

/**
 * A stored E.164 number written the way people read it: `(202) 555-0143` when it shares the
 * company's calling code (dialled as is at home), `+44 7700 900123` otherwise.
 */
export function formatPhoneNumber(e164: string, homeCountry: string = 'US'): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  let homeCallingCode: string | null = null;
  try {
    homeCallingCode = getCountryCallingCode(homeCountry as CountryCode);
  } catch {
    // An unknown country setting: fall back to the international form below.
  }
  return parsed.countryCallingCode === homeCallingCode ? parsed.formatNational() : parsed.formatInternational();
}
