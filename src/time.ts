import { invalidInput } from './errors.js';

/** The current instant as the ISO 8601 UTC string both engines store. */
export function nowIso(): string {
  return new Date().toISOString();
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar day as YYYY-MM-DD (a real one: not 2026-02-30), or a 422 naming `field`. */
export function checkDay(day: string, field = 'day'): string {
  if (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) {
    throw invalidInput([{ field, value: day, message: 'is not a date (accepted: YYYY-MM-DD)' }]);
  }
  return day;
}
