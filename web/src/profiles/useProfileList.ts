import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { ProfilePage } from '../api/types';
import { listStateToParams, parseListState, type ProfileListState } from './listState';

/** The table's state from the URL, and a way to change it that adds a history entry (so Back undoes it). */
export function useProfileListState(): [ProfileListState, (change: Partial<ProfileListState>) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => parseListState(params), [params]);
  const update = useCallback((change: Partial<ProfileListState>) => setParams(listStateToParams({ ...state, ...change })), [state, setParams]);
  return [state, update];
}

/** One page of profiles for a state; the previous page stays on screen while the next loads. */
export function useProfilePage(state: ProfileListState) {
  const params = listStateToParams(state);
  // The API's defaults are the URL's, but spelling them out keeps the request independent of them.
  params.set('order', state.order);
  params.set('page', String(state.page));
  params.set('per_page', String(state.perPage));
  const query = params.toString();
  return useQuery({
    queryKey: ['profiles', query],
    queryFn: () => api<ProfilePage>('GET', `/profiles?${query}`),
    placeholderData: keepPreviousData,
  });
}
