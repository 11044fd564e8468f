import type { CustomField } from '../api/types';
import { describeFilters, listStateToParams, parseListState, type ProfileListState } from '../profiles/listState';
import type { GroupFilter } from './types';

/** The saved filter for the table as it is: its search and filters, without group, sort or page. */
export function groupFilterFor(state: ProfileListState): GroupFilter {
  const params = listStateToParams({ ...state, groupId: null, page: 1 });
  const filter: GroupFilter = {};
  for (const key of ['search', 'subscription_status', 'first_seen_type', 'undeliverable_reason'] as const) {
    const value = params.get(key);
    if (value) filter[key] = value;
  }
  const conditions = params.getAll('custom_field');
  if (conditions.length) filter.custom_field = conditions;
  return filter;
}

/** A saved filter read back as the Profiles table's state (anything the table would not understand is dropped). */
export function listStateOfFilter(filter: GroupFilter | null): ProfileListState {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item));
    else if (value !== undefined && value !== null) params.set(key, String(value));
  }
  return parseListState(params);
}

/** One line per part of a saved filter, in the words of the Profiles table's filter indicator. */
export function describeGroupFilter(filter: GroupFilter | null, fields: readonly CustomField[]): string[] {
  const state = listStateOfFilter(filter);
  const lines = describeFilters(state, fields);
  return state.search ? [`Search: “${state.search}”`, ...lines] : lines;
}

/** The Profiles page URL that shows what a saved filter selects today. */
export function profilesUrlOfFilter(filter: GroupFilter | null): string {
  const query = listStateToParams(listStateOfFilter(filter)).toString();
  return `/profiles${query ? `?${query}` : ''}`;
}
