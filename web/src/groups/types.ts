/** The groups API's answers and bodies, as the routes declare them (generated: ../api/openapi.ts). */
import type { Answer, Body } from '../api/openapi';

export type Group = Answer<'/api/v1/groups/{id}', 'get'>;

export type GroupKind = Group['kind'];

/**
 * A filtered group's saved search and filters, under the Profiles list query's own names and
 * values (`first_seen_type` comma-joined, `custom_field` one `<id>:<op>[:<value>]` per condition).
 */
export type GroupFilter = NonNullable<Group['filter']>;

export type GroupPage = Answer<'/api/v1/groups', 'get'>;

export type NewGroup = Body<'/api/v1/groups', 'post'>;

export type GroupChange = Body<'/api/v1/groups/{id}', 'patch'>;
