import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { ProfilePage } from '../api/types';
import { listStateToParams, parseListState, type ProfileListState } from './listState';

/**
 * The table's state from the URL, and a way to change it that adds a history entry (so Back undoes it).
 * On a group's page the route names the group (`groupId`), so the query string leaves it out.
 */
export function useProfileListState(groupId?: number): [ProfileListState, (change: Partial<ProfileListState>) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => {
    const parsed = parseListState(params);
    return groupId === undefined ? parsed : { ...parsed, groupId };
  }, [params, groupId]);
  const update = useCallback(
    (change: Partial<ProfileListState>) => {
      const next = listStateToParams({ ...state, ...change });
      if (groupId !== undefined) next.delete('group_id');
      setParams(next);
    },
    [state, setParams, groupId],
  );
  return [state, update];
}

/**
 * One page of profiles for a state; the previous page stays on screen while the next loads.
 * Each answer carries cursors for the pages beside it, so Next and Previous seek from a row
 * already seen instead of making the database count past every earlier row. The cursors stay
 * out of the URL: a reload or a typed page number asks by page number, which is always right.
 */
export function useProfilePage(state: ProfileListState) {
  const cursors = useRef(new Map<string, string>());
  const params = listStateToParams({ ...state, page: 1 });
  // The API's defaults are the URL's, but spelling them out keeps the request independent of them.
  params.set('order', state.order);
  params.set('per_page', String(state.perPage));
  const rowsKey = params.toString();
  params.set('page', String(state.page));
  const query = params.toString();
  return useQuery({
    queryKey: ['profiles', query],
    queryFn: async () => {
      const cursor = cursors.current.get(`${rowsKey}#${state.page}`);
      const result = await api<ProfilePage>('GET', `/profiles?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      if (cursors.current.size > 500) cursors.current.clear();
      if (result.next_cursor) cursors.current.set(`${rowsKey}#${state.page + 1}`, result.next_cursor);
      if (result.prev_cursor) cursors.current.set(`${rowsKey}#${state.page - 1}`, result.prev_cursor);
      return result;
    },
    placeholderData: keepPreviousData,
  });
}
