const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const count = new Intl.NumberFormat();

/** An ISO instant in the reader's time zone, e.g. "Oct 3, 2026, 2:05 PM". */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatCount(n: number): string {
  return count.format(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "Ada Lovelace", or null when neither name is known. */
export function fullName(profile: { first_name: string | null; last_name: string | null }): string | null {
  const name = [profile.first_name, profile.last_name].filter(Boolean).join(' ');
  return name || null;
}
