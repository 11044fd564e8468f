/** The current instant as the ISO 8601 UTC string both engines store. */
export function nowIso(): string {
  return new Date().toISOString();
}
