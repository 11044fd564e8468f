import { type Kysely, sql } from 'kysely';
import { type DbScope, forShare, forUpdate } from '../../db/scope.js';
import type { DB } from '../../db/schema.js';
import { chunks } from '../profiles/profiles.repository.js';

const CAMPAIGN_COLUMNS = ['id', 'name', 'description', 'status', 'created_at', 'updated_at', 'ended_at'] as const;
export type CampaignRow = {
  id: number;
  name: string;
  description: string | null;
  status: string;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
};

export function listCampaigns(db: Kysely<DB>, companyId: number, status?: string) {
  let query = db.selectFrom('campaigns').select(CAMPAIGN_COLUMNS).where('company_id', '=', companyId);
  if (status) query = query.where('status', '=', status);
  return query.orderBy('id', 'desc').execute() as Promise<CampaignRow[]>;
}

export function findCampaign(db: Kysely<DB>, companyId: number, campaignId: number) {
  return db.selectFrom('campaigns').select(CAMPAIGN_COLUMNS).where('company_id', '=', companyId).where('id', '=', campaignId).executeTakeFirst() as Promise<CampaignRow | undefined>;
}

/**
 * Reads a campaign and holds it while the transaction runs: `share` for work that needs it to stay active
 * (subscribing), `update` for changing it (ending), so a subscription and an ending never cross.
 */
export function lockCampaign(scope: DbScope, companyId: number, campaignId: number, mode: 'share' | 'update') {
  const query = scope.db.selectFrom('campaigns').select(CAMPAIGN_COLUMNS).where('company_id', '=', companyId).where('id', '=', campaignId);
  return (mode === 'share' ? forShare(scope, query) : forUpdate(scope, query)).executeTakeFirst() as Promise<CampaignRow | undefined>;
}

export function insertCampaign(db: Kysely<DB>, companyId: number, values: { name: string; description: string | null; created_at: string }) {
  return db
    .insertInto('campaigns')
    .values({ company_id: companyId, ...values, status: 'active', updated_at: values.created_at, ended_at: null })
    .returning(CAMPAIGN_COLUMNS)
    .executeTakeFirstOrThrow() as Promise<CampaignRow>;
}

export function updateCampaign(db: Kysely<DB>, companyId: number, campaignId: number, values: Partial<Omit<CampaignRow, 'id' | 'created_at'>>) {
  return db.updateTable('campaigns').set(values).where('company_id', '=', companyId).where('id', '=', campaignId).execute();
}

export function deleteCampaign(db: Kysely<DB>, companyId: number, campaignId: number) {
  return db.deleteFrom('campaigns').where('company_id', '=', companyId).where('id', '=', campaignId).execute();
}

const PATH_COLUMNS = ['id', 'campaign_id', 'name', 'double_opt_in', 'welcome_message', 'created_at', 'updated_at'] as const;
export type OptInPathRow = {
  id: number;
  campaign_id: number;
  name: string;
  double_opt_in: number;
  welcome_message: string | null;
  created_at: string;
  updated_at: string;
};

export function listOptInPaths(db: Kysely<DB>, companyId: number, campaignId?: number) {
  let query = db.selectFrom('opt_in_paths').select(PATH_COLUMNS).where('company_id', '=', companyId);
  if (campaignId !== undefined) query = query.where('campaign_id', '=', campaignId);
  return query.orderBy('id').execute() as Promise<OptInPathRow[]>;
}

export function findOptInPath(db: Kysely<DB>, companyId: number, pathId: number) {
  return db.selectFrom('opt_in_paths').select(PATH_COLUMNS).where('company_id', '=', companyId).where('id', '=', pathId).executeTakeFirst() as Promise<OptInPathRow | undefined>;
}

export function insertOptInPath(db: Kysely<DB>, companyId: number, values: Omit<OptInPathRow, 'id' | 'updated_at'>) {
  return db
    .insertInto('opt_in_paths')
    .values({ company_id: companyId, ...values, updated_at: values.created_at })
    .returning(PATH_COLUMNS)
    .executeTakeFirstOrThrow() as Promise<OptInPathRow>;
}

export function updateOptInPath(db: Kysely<DB>, companyId: number, pathId: number, values: Partial<Omit<OptInPathRow, 'id' | 'campaign_id' | 'created_at'>>) {
  return db.updateTable('opt_in_paths').set(values).where('company_id', '=', companyId).where('id', '=', pathId).execute();
}

export function deleteOptInPath(db: Kysely<DB>, companyId: number, pathId: number) {
  return db.deleteFrom('opt_in_paths').where('company_id', '=', companyId).where('id', '=', pathId).execute();
}

export function countOptInPaths(db: Kysely<DB>, companyId: number, campaignId: number) {
  return db.selectFrom('opt_in_paths').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
}

/** Keywords of the given paths, in the order they were given to each. */
export async function findKeywords(db: Kysely<DB>, companyId: number, pathIds: number[]) {
  if (!pathIds.length) return [];
  return db
    .selectFrom('opt_in_keywords')
    .select(['opt_in_path_id', 'keyword', 'keyword_key'])
    .where('company_id', '=', companyId)
    .where('opt_in_path_id', 'in', pathIds)
    .orderBy('keyword_key')
    .execute();
}

/** The keywords among these matching forms that some path of the company already has. */
export async function findKeywordOwners(db: Kysely<DB>, companyId: number, keys: string[]) {
  if (!keys.length) return [];
  return db.selectFrom('opt_in_keywords').select(['keyword_key', 'keyword', 'opt_in_path_id']).where('company_id', '=', companyId).where('keyword_key', 'in', keys).execute();
}

export async function replaceKeywords(db: Kysely<DB>, companyId: number, pathId: number, keywords: Array<{ keyword: string; keyword_key: string }>) {
  await db.deleteFrom('opt_in_keywords').where('company_id', '=', companyId).where('opt_in_path_id', '=', pathId).execute();
  if (keywords.length) await db.insertInto('opt_in_keywords').values(keywords.map((k) => ({ company_id: companyId, opt_in_path_id: pathId, ...k }))).execute();
}

const SUBSCRIPTION_COLUMNS = [
  's.id', 's.profile_id', 's.campaign_id', 's.opt_in_path_id', 's.status', 's.activated_at', 's.opted_out_at', 's.opt_out_source',
  's.opted_out_with_profile', 's.created_at', 's.updated_at',
] as const;
export interface SubscriptionRow {
  id: number;
  profile_id: number;
  campaign_id: number;
  opt_in_path_id: number | null;
  status: string;
  activated_at: string | null;
  opted_out_at: string | null;
  opt_out_source: string | null;
  opted_out_with_profile: number;
  created_at: string;
  updated_at: string;
}

/** A subscription with the names a person reads beside it. */
export type SubscriptionDetailRow = SubscriptionRow & { campaign_name: string; campaign_status: string; opt_in_path_name: string | null };

function detailQuery(db: Kysely<DB>, companyId: number) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('campaigns as c', (join) => join.onRef('c.company_id', '=', 's.company_id').onRef('c.id', '=', 's.campaign_id'))
    .leftJoin('opt_in_paths as o', (join) => join.onRef('o.company_id', '=', 's.company_id').onRef('o.id', '=', 's.opt_in_path_id'))
    .select([...SUBSCRIPTION_COLUMNS, 'c.name as campaign_name', 'c.status as campaign_status', 'o.name as opt_in_path_name'])
    .where('s.company_id', '=', companyId);
}

export function findSubscription(db: Kysely<DB>, companyId: number, subscriptionId: number) {
  return detailQuery(db, companyId).where('s.id', '=', subscriptionId).executeTakeFirst() as Promise<SubscriptionDetailRow | undefined>;
}

export function findSubscriptionOf(db: Kysely<DB>, companyId: number, profileId: number, campaignId: number) {
  return detailQuery(db, companyId).where('s.profile_id', '=', profileId).where('s.campaign_id', '=', campaignId).executeTakeFirst() as Promise<SubscriptionDetailRow | undefined>;
}

/** Every subscription of these profiles, oldest first. */
export async function subscriptionsOfProfiles(db: Kysely<DB>, companyId: number, profileIds: number[]): Promise<SubscriptionDetailRow[]> {
  const rows: SubscriptionDetailRow[] = [];
  for (const part of chunks(profileIds)) rows.push(...((await detailQuery(db, companyId).where('s.profile_id', 'in', part).orderBy('s.id').execute()) as SubscriptionDetailRow[]));
  return rows;
}

/** One page of a campaign's subscriptions, newest first. */
export function pageOfCampaignSubscriptions(db: Kysely<DB>, companyId: number, campaignId: number, filter: { status?: string; limit: number; offset: number }) {
  let query = detailQuery(db, companyId).where('s.campaign_id', '=', campaignId);
  if (filter.status) query = query.where('s.status', '=', filter.status);
  return query.orderBy('s.id', 'desc').limit(filter.limit).offset(filter.offset).execute() as Promise<SubscriptionDetailRow[]>;
}

/** How many subscriptions a campaign has in each status. */
export function countCampaignSubscriptions(db: Kysely<DB>, companyId: number, campaignId: number) {
  return db
    .selectFrom('subscriptions')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('company_id', '=', companyId)
    .where('campaign_id', '=', campaignId)
    .groupBy('status')
    .execute();
}

export function countPathSubscriptions(db: Kysely<DB>, companyId: number, pathId: number) {
  return db.selectFrom('subscriptions').select((eb) => eb.fn.countAll<number>().as('n')).where('company_id', '=', companyId).where('opt_in_path_id', '=', pathId).executeTakeFirstOrThrow();
}

/** The profiles subscribed to a campaign in any status, in id order. */
export async function profileIdsOfCampaign(db: Kysely<DB>, companyId: number, campaignId: number): Promise<number[]> {
  const rows = await db.selectFrom('subscriptions').select('profile_id').where('company_id', '=', companyId).where('campaign_id', '=', campaignId).orderBy('profile_id').execute();
  return rows.map((r) => r.profile_id);
}

/** Inserts a subscription unless the profile already has one to the campaign; answers the new row's id, or undefined. */
export async function insertSubscription(
  db: Kysely<DB>,
  companyId: number,
  values: Pick<SubscriptionRow, 'profile_id' | 'campaign_id' | 'opt_in_path_id' | 'status' | 'activated_at' | 'created_at'>,
): Promise<number | undefined> {
  const row = await db
    .insertInto('subscriptions')
    .values({ company_id: companyId, ...values, opted_out_at: null, opt_out_source: null, updated_at: values.created_at })
    .onConflict((oc) => oc.columns(['company_id', 'profile_id', 'campaign_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export function updateSubscription(db: Kysely<DB>, companyId: number, subscriptionId: number, values: Partial<Omit<SubscriptionRow, 'id' | 'profile_id' | 'campaign_id' | 'created_at'>>) {
  return db.updateTable('subscriptions').set(values).where('company_id', '=', companyId).where('id', '=', subscriptionId).execute();
}

/** A profile's subscriptions in the given statuses, in id order. */
export function subscriptionsInStatus(db: Kysely<DB>, companyId: number, profileId: number, statuses: string[]) {
  return db
    .selectFrom('subscriptions as s')
    .select(SUBSCRIPTION_COLUMNS)
    .where('s.company_id', '=', companyId)
    .where('s.profile_id', '=', profileId)
    .where('s.status', 'in', statuses)
    .orderBy('s.id')
    .execute() as Promise<SubscriptionRow[]>;
}

/** A profile's subscriptions that its profile-level opt-out ended. */
export function subscriptionsEndedWithProfile(db: Kysely<DB>, companyId: number, profileId: number) {
  return db
    .selectFrom('subscriptions as s')
    .select(SUBSCRIPTION_COLUMNS)
    .where('s.company_id', '=', companyId)
    .where('s.profile_id', '=', profileId)
    .where('s.opted_out_with_profile', '=', 1)
    .orderBy('s.id')
    .execute() as Promise<SubscriptionRow[]>;
}

export function deleteSubscriptionsOfProfile(db: Kysely<DB>, companyId: number, profileId: number) {
  return db.deleteFrom('subscriptions').where('company_id', '=', companyId).where('profile_id', '=', profileId).execute();
}

/** What the status of each profile depends on, counted from its subscriptions and their campaigns. */
export interface SubscriptionFacts {
  profile_id: number;
  active: number;
  ever_active: number;
  active_on_active_campaigns: number;
  former_on_active_campaigns: number;
}

export async function subscriptionFacts(db: Kysely<DB>, companyId: number, profileIds: number[]): Promise<SubscriptionFacts[]> {
  const rows: SubscriptionFacts[] = [];
  for (const part of chunks(profileIds)) {
    const found = await db
      .selectFrom('subscriptions as s')
      .innerJoin('campaigns as c', (join) => join.onRef('c.company_id', '=', 's.company_id').onRef('c.id', '=', 's.campaign_id'))
      .select([
        's.profile_id',
        sql<number>`count(CASE WHEN s.status = 'active' THEN 1 END)`.as('active'),
        sql<number>`count(s.activated_at)`.as('ever_active'),
        sql<number>`count(CASE WHEN s.status = 'active' AND c.status = 'active' THEN 1 END)`.as('active_on_active_campaigns'),
        sql<number>`count(CASE WHEN s.status <> 'active' AND s.activated_at IS NOT NULL AND c.status = 'active' THEN 1 END)`.as('former_on_active_campaigns'),
      ])
      .where('s.company_id', '=', companyId)
      .where('s.profile_id', 'in', part)
      .groupBy('s.profile_id')
      .execute();
    rows.push(...found.map((r) => ({ ...r, active: Number(r.active), ever_active: Number(r.ever_active), active_on_active_campaigns: Number(r.active_on_active_campaigns), former_on_active_campaigns: Number(r.former_on_active_campaigns) })));
  }
  return rows;
}
