/** Shapes of the groups API's answers (src/features/groups/*.routes.ts). */

export type GroupKind = 'uploaded' | 'filtered';

/**
 * A filtered group's saved search and filters, under the Profiles list query's own names and
 * values (`first_seen_type` comma-joined, `custom_field` one `<id>:<op>[:<value>]` per condition).
 */
export interface GroupFilter {
  search?: string;
  subscription_status?: string;
  first_seen_type?: string;
  undeliverable_reason?: string;
  custom_field?: string[];
}

export interface Group {
  id: number;
  name: string;
  kind: GroupKind;
  filter: GroupFilter | null;
  member_count: number;
  created_at: string;
  updated_at: string;
}

export interface GroupPage {
  data: Group[];
  page: number;
  per_page: number;
  total: number;
}

export interface NewGroup {
  name: string;
  kind: GroupKind;
  filter?: GroupFilter;
}

export interface GroupChange {
  name?: string;
  filter?: GroupFilter;
}
