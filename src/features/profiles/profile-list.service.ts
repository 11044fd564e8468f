import type { Database } from '../../db/database.js';
import { invalidInput } from '../../errors.js';
import { type CustomFieldContext, customFieldContextIfKept, keptCustomFieldContext } from '../custom-fields/custom-fields.service.js';
import type { CountryCode } from './phone.js';
import { parseListQuery, type ProfileListQuery, type RawListQuery } from './profile-list-query.js';
import { countIsKept, countMatching, type Keyset, type PageRow, pageOfProfiles, pageWithKeptTotal, searchTotalAndPage, shallowPage } from './profile-list.repository.js';
import { type ProfileView, viewProfiles } from './profiles.service.js';

export interface ProfilePage {
  data: ProfileView[];
  page: number;
  per_page: number;
  total: number;
  /** Pass with page + 1 to seek to the next page instead of skipping rows. */
  next_cursor: string | null;
  /** Pass with page - 1 to seek to the previous page. */
  prev_cursor: string | null;
}

export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify([keyset.createdAt, keyset.id, keyset.direction === 'after' ? 'a' : 'b'])).toString('base64url');
}

// The instants this service writes into cursors (UTC ISO 8601). Date.parse alone is not enough: it takes "2024",
// "1" or "2024-02-30T…", which PostgreSQL refuses when comparing with created_at, turning a bad cursor into a 500.
const CURSOR_INSTANT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;

function isCursorInstant(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = CURSOR_INSTANT.exec(value);
  if (!match || match[1] === '0000') return false;
  const parsed = new Date(value);
  // Round-trips only when every field is in range (V8 rolls 2024-02-30 over to March 1st).
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 19) === value.slice(0, 19);
}

function decodeCursor(cursor: string): Keyset {
  try {
    const [createdAt, id, direction] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (isCursorInstant(createdAt) && Number.isSafeInteger(id) && (direction === 'a' || direction === 'b')) {
      return { createdAt, id: id as number, direction: direction === 'a' ? 'after' : 'before' };
    }
  } catch {
    // fall through to the error below
  }
  throw invalidInput([{ field: 'cursor', value: cursor, message: 'is not a cursor from a previous page (accepted: next_cursor or prev_cursor as given)' }]);
}

function parsed(raw: RawListQuery, context?: CustomFieldContext): ProfileListQuery {
  const result = parseListQuery(raw, new Map((context?.fields ?? []).map((f) => [f.id, f])), context?.genderOptions ?? [], (context?.defaultCountry ?? 'US') as CountryCode);
  if (!result.ok) throw invalidInput(result.problems);
  return result.value;
}

/** The exact total and the page's rows. */
async function totalAndPage(database: Database, companyId: number, query: ProfileListQuery, keyset: Keyset | undefined): Promise<{ total: number; rows: PageRow[] }> {
  // A search by page number counts and pages in one statement that starts from the search index: the index is matched
  // once, and no planner guess about how common the term is can send the page walking the company's rows instead
  // (PostgreSQL did so for 4 phone digits at 1M profiles: 261 ms against 18 ms).
  if (query.search && !keyset) {
    const both = await searchTotalAndPage(database, companyId, query);
    if (both.total !== null) return { total: both.total, rows: both.rows };
    // Past the end there is no row to carry the total; the first page then has no match at all.
    return { total: query.page === 1 ? 0 : await countMatching(database, companyId, query), rows: [] };
  }
  // On SQLite a deep page is counted first instead: a page past the end is then not read at all, where reading it
  // would walk the company's rows (PostgreSQL read the page alongside the count before, so it walked them anyway).
  if (countIsKept(query) && (shallowPage(query, keyset) || !database.searchPlanByCount)) {
    const both = await pageWithKeptTotal(database, companyId, query, keyset);
    // An empty page carries no total: then it is counted apart (past the end, or no profile at all).
    return { total: both.total ?? (await countMatching(database, companyId, query)), rows: both.rows };
  }
  if (database.searchPlanByCount) {
    // The total decides, on SQLite, how to read the page.
    const total = await countMatching(database, companyId, query);
    return { total, rows: await pageOfProfiles(database, companyId, query, total, keyset) };
  }
  const [total, rows] = await Promise.all([countMatching(database, companyId, query), pageOfProfiles(database, companyId, query, null, keyset)]);
  return { total, rows };
}

/** One page of the Profiles table (SPEC §5): search, filters, first-seen order, exact total. */
export async function listProfiles(database: Database, companyId: number, raw: RawListQuery & { cursor?: string }, scope: Pick<ProfileListQuery, 'groupId' | 'alsoMatching'> = {}): Promise<ProfilePage> {
  const { context, query, total, rows } = await understoodAndRead(database, companyId, raw, scope);
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    data: await viewProfiles(database, companyId, rows, context.fields),
    page: query.page,
    per_page: query.perPage,
    total,
    next_cursor: last && query.page * query.perPage < total ? encodeCursor({ createdAt: last.created_at, id: last.id, direction: 'after' }) : null,
    prev_cursor: first && query.page > 1 ? encodeCursor({ createdAt: first.created_at, id: first.id, direction: 'before' }) : null,
  };
}

/**
 * The request's query understood with the company's custom-field context (search terms and custom-field conditions
 * need its fields and settings), with its total and rows. A group's scope (its members, or its saved filter) narrows
 * whatever the request asks for. A bad query is reported before a bad cursor.
 */
async function understoodAndRead(database: Database, companyId: number, raw: RawListQuery & { cursor?: string }, scope: Pick<ProfileListQuery, 'groupId' | 'alsoMatching'>) {
  const kept = customFieldContextIfKept(database, companyId);
  if (kept) {
    // Usually the context is kept (src/db/short-cache.ts): the query is understood once, then read.
    const query: ProfileListQuery = { ...parsed(raw, kept), ...scope };
    return { context: kept, query, ...(await totalAndPage(database, companyId, query, raw.cursor ? decodeCursor(raw.cursor) : undefined)) };
  }
  // Otherwise a query without search or custom-field conditions is read alongside the context (one round trip less on
  // PostgreSQL), and checked against it below.
  const early: ProfileListQuery | null = raw.search === undefined && raw.custom_field === undefined ? { ...parsed(raw), ...scope } : null;
  const earlyKeyset = early && raw.cursor ? decodeCursor(raw.cursor) : undefined;
  const [context, earlyRead] = await Promise.all([keptCustomFieldContext(database, companyId), early && totalAndPage(database, companyId, early, earlyKeyset)]);
  const query: ProfileListQuery = { ...parsed(raw, context), ...scope };
  const keyset = early ? earlyKeyset : raw.cursor ? decodeCursor(raw.cursor) : undefined;
  const { total, rows } = earlyRead && JSON.stringify(early) === JSON.stringify(query) ? earlyRead : await totalAndPage(database, companyId, query, keyset);
  return { context, query, total, rows };
}
