import type { PreviewColumn, UploadMapping, UploadPreview } from './types';

/** The field every upload needs a column for. */
export const PHONE_FIELD = 'phone_number';

/** The mapping the server proposed from the column names, as the form starts it. */
export function proposedMapping(columns: readonly PreviewColumn[]): UploadMapping {
  return Object.fromEntries(columns.map((column) => [column.header, column.field]));
}

/** What stops a mapping from being sent: no phone column, or two columns feeding one field. */
export function mappingProblems(mapping: UploadMapping, fields: UploadPreview['fields']): string[] {
  const problems: string[] = [];
  const label = (key: string) => fields.find((f) => f.key === key)?.label ?? key;
  const columnsByField = new Map<string, string[]>();
  for (const [header, field] of Object.entries(mapping)) {
    if (field === null) continue;
    columnsByField.set(field, [...(columnsByField.get(field) ?? []), header]);
  }
  if (!columnsByField.has(PHONE_FIELD)) problems.push(`Map one column to ${label(PHONE_FIELD)}: every row needs a phone number.`);
  for (const [field, headers] of columnsByField) {
    if (headers.length > 1) problems.push(`${headers.map((h) => `“${h}”`).join(' and ')} ${headers.length === 2 ? 'both' : 'all'} map to ${label(field)}; keep one, skip the others.`);
  }
  return problems;
}

const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'vertical bar' };

/** "comma", "semicolon", "tab" … for the detected separator. */
export function delimiterName(delimiter: string): string {
  // The preview answers the character; an upload's record may already hold its name.
  if (Object.values(DELIMITERS).includes(delimiter)) return delimiter;
  return DELIMITERS[delimiter] ?? `“${delimiter}”`;
}

const ENCODINGS: Record<string, string> = { 'utf-8': 'UTF-8', 'windows-1252': 'Windows-1252 (Latin-1)' };

/** The detected encoding as people write it. */
export function encodingName(encoding: string): string {
  return ENCODINGS[encoding.toLowerCase()] ?? encoding;
}

const CUSTOM_PREFIX = 'custom:';

/** A field key as people read it where the preview's labels are not at hand: "First name", "Union local (custom field)". */
export function fieldKeyLabel(key: string): string {
  if (key.startsWith(CUSTOM_PREFIX)) return `${key.slice(CUSTOM_PREFIX.length)} (custom field)`;
  const words = key.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The group name a file suggests: its name without the extension. */
export function groupNameOfFile(fileName: string): string {
  return fileName.replace(/\.(csv|txt|tsv)$/i, '').trim();
}
