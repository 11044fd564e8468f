import { isUtf8 } from 'node:buffer';

/**
 * Pure rules about the CSV files people upload (SPEC §7): which encoding, which separator, and which profile field
 * each column holds. No I/O; the upload service and the preview share them.
 */

export type UploadEncoding = 'utf-8' | 'windows-1252';
export type Delimiter = ',' | ';' | '\t';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/** The standard profile fields an upload can fill, with the labels the mapping screen shows. */
export const STANDARD_UPLOAD_FIELDS = [
  { key: 'phone_number', label: 'Phone number' },
  { key: 'first_name', label: 'First name' },
  { key: 'last_name', label: 'Last name' },
  { key: 'email', label: 'Email' },
  { key: 'street1', label: 'Street 1' },
  { key: 'street2', label: 'Street 2' },
  { key: 'city', label: 'City' },
  { key: 'state', label: 'State' },
  { key: 'postal_code', label: 'Postal code' },
  { key: 'country', label: 'Country' },
] as const;
export type StandardUploadField = (typeof STANDARD_UPLOAD_FIELDS)[number]['key'];
export const CUSTOM_PREFIX = 'custom:';

/** A column's header as compared with field names: letters and digits only, lower case ("Phone_Number " → "phonenumber"). */
export function headerKey(header: string): string {
  return header.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

// Header spellings people use for each standard field, compared by headerKey.
const SYNONYMS: Record<StandardUploadField, readonly string[]> = {
  phone_number: [
    'phone_number', 'phone', 'mobile', 'cell', 'mobile_number', 'phone number', 'cell phone', 'cellphone', 'cell number', 'cell_phone',
    'mobile phone', 'mobilephone', 'mobile no', 'phone no', 'telephone', 'telephone number', 'tel', 'sms', 'sms number', 'msisdn', 'number', 'phone1', 'mobile1',
  ],
  first_name: ['first_name', 'first name', 'firstname', 'first', 'given name', 'forename', 'fname'],
  last_name: ['last_name', 'last name', 'lastname', 'last', 'surname', 'family name', 'lname'],
  email: ['email', 'e-mail', 'email address', 'e-mail address', 'mail'],
  street1: ['street1', 'street 1', 'street', 'address', 'address1', 'address 1', 'address line 1', 'street address', 'addr1'],
  street2: ['street2', 'street 2', 'address2', 'address 2', 'address line 2', 'apartment', 'apt', 'unit', 'suite', 'addr2'],
  city: ['city', 'town', 'locality'],
  state: ['state', 'province', 'region', 'state code', 'st'],
  postal_code: ['postal_code', 'postal code', 'postcode', 'post code', 'zip', 'zip code', 'zipcode', 'zip5', 'postal'],
  country: ['country', 'country code'],
};
const FIELD_BY_HEADER = new Map<string, StandardUploadField>(
  Object.entries(SYNONYMS).flatMap(([field, names]) => names.map((n) => [headerKey(n), field as StandardUploadField] as const)),
);

/** The field a column's header names: a standard field, `custom:<name>` for a custom field of that name, or null. */
export function guessField(header: string, customFieldNames: readonly string[]): string | null {
  const key = headerKey(header);
  if (!key) return null;
  const custom = customFieldNames.find((name) => headerKey(name) === key || headerKey(CUSTOM_PREFIX + name) === key);
  const standard = FIELD_BY_HEADER.get(key);
  // A custom field named like a standard column cannot exist (custom-fields.service refuses those names), so order only matters for synonyms.
  if (standard) return standard;
  return custom !== undefined ? CUSTOM_PREFIX + custom : null;
}

/** Guesses every column's field, each field at most once (the first column that names it wins). */
export function guessMapping(headers: readonly string[], customFieldNames: readonly string[]): Array<string | null> {
  const taken = new Set<string>();
  return headers.map((header) => {
    const field = guessField(header, customFieldNames);
    if (field === null || taken.has(field)) return null;
    taken.add(field);
    return field;
  });
}

/** Whether a field key is one an upload can write. */
export function isUploadField(key: string, customFieldNames: readonly string[]): boolean {
  if (STANDARD_UPLOAD_FIELDS.some((f) => f.key === key)) return true;
  if (!key.startsWith(CUSTOM_PREFIX)) return false;
  const name = key.slice(CUSTOM_PREFIX.length);
  return customFieldNames.includes(name);
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Why a file cannot be read as CSV text at all (UTF-16, binary), or null when it can. */
export function binaryProblem(sample: Buffer): string | null {
  if ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff)) {
    return 'The file is UTF-16 text (e.g. Excel’s "Unicode Text"); save it as "CSV UTF-8" and upload that';
  }
  const nul = sample.indexOf(0);
  if (nul !== -1) return `The file is not CSV text: it contains a NUL byte at byte ${nul + 1} (binary data such as a spreadsheet or an image); save it as CSV and upload that`;
  return null;
}

/**
 * UTF-8 when the sample says so (a byte order mark, or valid UTF-8 throughout), else Windows-1252 (which reads every
 * Latin-1 byte too). A sample cut off mid-character still counts as UTF-8 if the cut is the only problem.
 */
export function detectEncoding(sample: Buffer, complete: boolean): UploadEncoding {
  if (sample.subarray(0, 3).equals(UTF8_BOM)) return 'utf-8';
  if (isUtf8(sample)) return 'utf-8';
  if (!complete) {
    for (let cut = 1; cut <= 3 && cut < sample.length; cut++) if (isUtf8(sample.subarray(0, sample.length - cut))) return 'utf-8';
  }
  return 'windows-1252';
}

/** The separator of the header line: whichever of comma, semicolon and tab it has most of outside quotes (comma on a tie). */
export function detectDelimiter(headerLine: string): Delimiter {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of headerLine) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && counts.has(c as Delimiter)) counts.set(c as Delimiter, counts.get(c as Delimiter)! + 1);
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** The first line of decoded text (up to the first line break outside quotes), without a byte order mark. */
export function firstLine(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) return text.slice(start, i);
  }
  return text.slice(start);
}

/** How a delimiter is named in messages and the API. */
export function delimiterName(d: Delimiter): string {
  return d === '\t' ? 'tab' : d === ';' ? 'semicolon' : 'comma';
}

/** The line on which a quote opens that is never closed (RFC 4180: "" inside quotes is an escaped quote), or null. */
export function unclosedQuoteLine(text: string): number | null {
  let quoted = false;
  let line = 1;
  let openedOn = 1;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      } else if (c === '\n') line++;
      continue;
    }
    if (c === '"' && fieldStart) {
      quoted = true;
      openedOn = line;
    }
    if (c === '\n') line++;
    // Only a quote at the start of a cell opens a quoted cell (relax_quotes keeps others as text).
    fieldStart = c === ',' || c === ';' || c === '\t' || c === '\n' || c === '\r';
  }
  return quoted ? openedOn : null;
}
