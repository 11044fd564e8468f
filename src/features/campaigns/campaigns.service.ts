import { afterCommit, ShortCache } from '../../db/short-cache.js';
import type { Database } from '../../db/database.js';
import { inTransaction } from '../../db/scope.js';
import { AppError, type FieldProblem, invalidInput, notFound } from '../../errors.js';
import { nowIso } from '../../time.js';
import { changedFields, recordAudit } from '../audit/audit.js';
import type { AuthContext } from '../accounts/auth-context.js';
import { keywordKey, RESERVED_WORDS } from '../opt-outs/keywords.js';
import { findProfilesByIds, type ProfileRow } from '../profiles/profiles.repository.js';
import * as repo from './campaigns.repository.js';
import { refreshProfileStatus, SUBSCRIPTION_STATES, type SubscriptionState, type SubscriptionView, subscribe, toSubscriptionView, unsubscribe, type SubscribeResult } from './subscriptions.service.js';

/** A campaign as the API shows it (SPEC §3). */
export interface CampaignView {
  id: number;
  name: string;
  description: string | null;
  status: 'active' | 'ended';
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export type CampaignDetail = CampaignView & { subscriptions: Record<SubscriptionState, number> };

/** An opt-in path as the API shows it: its keywords in upper case, as they are matched. */
export interface OptInPathView {
  id: number;
  campaign_id: number;
  name: string;
  keywords: string[];
  double_opt_in: boolean;
  welcome_message: string | null;
  created_at: string;
  updated_at: string;
}

const LIMITS = { name: 200, description: 2000, welcome_message: 1600, keyword: 30, keywords: 50 } as const;

function toCampaignView(row: repo.CampaignRow): CampaignView {
  return { ...row, status: row.status as CampaignView['status'] };
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A required one-line name: trimmed, spaces collapsed, not empty, not too long. */
function checkName(value: string, field: string, problems: FieldProblem[]): string {
  const clean = value.trim().replace(/\s+/g, ' ');
  if (!clean) problems.push({ field, value, message: 'must not be empty' });
  else if (clean.length > LIMITS.name) problems.push({ field, value, message: `must be at most ${LIMITS.name} characters` });
  else if (CONTROL.test(clean) || /\p{Cs}/u.test(clean)) problems.push({ field, value, message: 'must be printable, well-formed text' });
  return clean;
}

/** Optional free text: trimmed, "" is none. */
function checkText(value: string | null | undefined, field: string, max: number, problems: FieldProblem[]): string | null | undefined {
  if (value === undefined) return undefined;
  const clean = value?.trim() ?? '';
  if (clean.length > max) problems.push({ field, value, message: `must be at most ${max} characters` });
  else if (CONTROL.test(clean) || /\p{Cs}/u.test(clean)) problems.push({ field, value, message: 'must be printable, well-formed text (new lines and tabs are fine)' });
  return clean || null;
}

export async function listCampaigns(database: Database, companyId: number, status?: string): Promise<CampaignView[]> {
  if (status !== undefined && status !== 'active' && status !== 'ended') throw invalidInput([{ field: 'status', value: status, message: 'is not accepted (accepted: active, ended)' }]);
  return (await repo.listCampaigns(database.db, companyId, status)).map(toCampaignView);
}

/** One campaign with how many subscriptions it has in each status. */
export async function getCampaign(database: Database, companyId: number, campaignId: number): Promise<CampaignDetail> {
  const row = await repo.findCampaign(database.db, companyId, campaignId);
  if (!row) throw notFound('Campaign');
  const counts = Object.fromEntries(SUBSCRIPTION_STATES.map((s) => [s, 0])) as Record<SubscriptionState, number>;
  for (const c of await repo.countCampaignSubscriptions(database.db, companyId, campaignId)) counts[c.status as SubscriptionState] = Number(c.n);
  return { ...toCampaignView(row), subscriptions: counts };
}

export async function createCampaign(database: Database, auth: AuthContext, input: { name: string; description?: string | null }): Promise<CampaignView> {
  const problems: FieldProblem[] = [];
  const name = checkName(input.name, 'name', problems);
  const description = checkText(input.description, 'description', LIMITS.description, problems) ?? null;
  if (problems.length) throw invalidInput(problems);
  return database.db.transaction().execute(async (trx) => {
    const row = await repo.insertCampaign(trx, auth.companyId, { name, description, created_at: nowIso() });
    await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'campaign.created', entityType: 'campaign', entityId: row.id, changes: changedFields(null, { name, description, status: 'active' }) }]);
    return toCampaignView(row);
  });
}

export async function updateCampaign(database: Database, auth: AuthContext, campaignId: number, input: { name?: string; description?: string | null }): Promise<CampaignView> {
  const problems: FieldProblem[] = [];
  const name = input.name === undefined ? undefined : checkName(input.name, 'name', problems);
  const description = checkText(input.description, 'description', LIMITS.description, problems);
  if (problems.length) throw invalidInput(problems);
  return database.db.transaction().execute(async (trx) => {
    const before = await repo.findCampaign(trx, auth.companyId, campaignId);
    if (!before) throw notFound('Campaign');
    const changes = changedFields(before, { name: name ?? before.name, description: description === undefined ? before.description : description });
    if (!Object.keys(changes).length) return toCampaignView(before);
    await repo.updateCampaign(trx, auth.companyId, campaignId, { ...(name === undefined ? {} : { name }), ...(description === undefined ? {} : { description }), updated_at: nowIso() });
    await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'campaign.updated', entityType: 'campaign', entityId: campaignId, changes }]);
    return toCampaignView((await repo.findCampaign(trx, auth.companyId, campaignId))!);
  });
}

/**
 * Ends a campaign: it takes no new subscriptions; its subscribers keep their subscriptions (an active one still
 * makes an Active Subscriber) but leave the Active subscribers filter, which counts active campaigns only.
 * Ending an ended campaign changes nothing.
 */
export async function endCampaign(database: Database, auth: AuthContext, campaignId: number): Promise<CampaignView> {
  return inTransaction(database, async (trx) => {
    const before = await repo.lockCampaign(trx, auth.companyId, campaignId, 'update');
    if (!before) throw notFound('Campaign');
    if (before.status === 'ended') return toCampaignView(before);
    const at = nowIso();
    await repo.updateCampaign(trx.db, auth.companyId, campaignId, { status: 'ended', ended_at: at, updated_at: at });
    await recordAudit(trx.db, auth.companyId, auth.actor, [{ action: 'campaign.ended', entityType: 'campaign', entityId: campaignId, changes: { status: { before: 'active', after: 'ended' }, ended_at: { before: null, after: at } } }]);
    await refreshProfileStatus(trx, auth.companyId, await repo.profileIdsOfCampaign(trx.db, auth.companyId, campaignId), at);
    return toCampaignView((await repo.findCampaign(trx.db, auth.companyId, campaignId))!);
  });
}

/** Deletes a campaign nobody ever subscribed to, with its opt-in paths; one with subscriptions can only be ended, so their history stays. */
async function deleteCampaignNow(database: Database, auth: AuthContext, campaignId: number): Promise<void> {
  await inTransaction(database, async (trx) => {
    const before = await repo.lockCampaign(trx, auth.companyId, campaignId, 'update');
    if (!before) throw notFound('Campaign');
    const total = (await repo.countCampaignSubscriptions(trx.db, auth.companyId, campaignId)).reduce((n, c) => n + Number(c.n), 0);
    if (total > 0) throw new AppError('conflict', `Campaign ${JSON.stringify(before.name)} has ${total} subscription${total === 1 ? '' : 's'}; end it instead of deleting it, so their history stays`, { campaign_id: campaignId });
    const paths = await repo.listOptInPaths(trx.db, auth.companyId, campaignId);
    for (const path of paths) {
      await repo.replaceKeywords(trx.db, auth.companyId, path.id, []);
      await repo.deleteOptInPath(trx.db, auth.companyId, path.id);
    }
    await repo.deleteCampaign(trx.db, auth.companyId, campaignId);
    await recordAudit(trx.db, auth.companyId, auth.actor, [
      ...paths.map((p) => ({ action: 'opt_in_path.deleted', entityType: 'opt_in_path', entityId: p.id, changes: changedFields({ name: p.name }, { name: null }) })),
      { action: 'campaign.deleted', entityType: 'campaign', entityId: campaignId, changes: changedFields(before, { name: null, description: null, status: null }) },
    ]);
  });
}

async function toPathViews(database: Pick<Database, 'db'>, companyId: number, rows: repo.OptInPathRow[]): Promise<OptInPathView[]> {
  const keywords = await repo.findKeywords(database.db, companyId, rows.map((r) => r.id));
  return rows.map((row) => ({
    id: row.id,
    campaign_id: row.campaign_id,
    name: row.name,
    keywords: keywords.filter((k) => k.opt_in_path_id === row.id).map((k) => k.keyword_key),
    double_opt_in: row.double_opt_in === 1,
    welcome_message: row.welcome_message,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }));
}

/**
 * Keywords as they are matched: one word of letters and digits, any case (kept upper-case), never a STOP, START
 * or HELP word. Repeats collapse.
 */
function checkKeywords(raw: string[], problems: FieldProblem[]): Array<{ keyword: string; keyword_key: string }> {
  if (raw.length > LIMITS.keywords) problems.push({ field: 'keywords', value: `${raw.length} keywords`, message: `are too many (accepted: at most ${LIMITS.keywords})` });
  const out = new Map<string, { keyword: string; keyword_key: string }>();
  raw.forEach((keyword, i) => {
    const field = `keywords.${i}`;
    const key = keywordKey(keyword);
    if (!/^[\p{L}\p{N}]+$/u.test(key)) problems.push({ field, value: keyword, message: 'is not a keyword (accepted: one word of letters and digits, e.g. JOIN)' });
    else if (key.length > LIMITS.keyword) problems.push({ field, value: keyword, message: `must be at most ${LIMITS.keyword} characters` });
    else if (RESERVED_WORDS.has(key)) problems.push({ field, value: keyword, message: 'is a STOP, START or HELP word, which always means that; choose another keyword' });
    else out.set(key, { keyword: keyword.trim(), keyword_key: key });
  });
  return [...out.values()];
}

/** Refuses keywords another opt-in path of the company already has (a 409 naming the keyword and the path). */
async function claimKeywords(database: Pick<Database, 'db'>, companyId: number, pathId: number | null, keywords: Array<{ keyword_key: string }>): Promise<void> {
  const taken = (await repo.findKeywordOwners(database.db, companyId, keywords.map((k) => k.keyword_key))).filter((k) => k.opt_in_path_id !== pathId);
  if (!taken.length) return;
  const owners = new Map((await repo.listOptInPaths(database.db, companyId)).map((p) => [p.id, p.name]));
  const list = taken.map((k) => `${k.keyword_key} (opt-in path ${JSON.stringify(owners.get(k.opt_in_path_id) ?? k.opt_in_path_id)})`).join(', ');
  throw new AppError('conflict', `Keyword${taken.length === 1 ? '' : 's'} already in use: ${list}`, { field: 'keywords', keywords: taken.map((k) => k.keyword_key) });
}

function keywordConflict<T>(database: Database, run: () => Promise<T>): Promise<T> {
  return run().catch((error: unknown) => {
    // Two paths claimed the same keyword at once; the loser hears what the winner's check would have said.
    if (database.isUniqueViolation(error)) throw new AppError('conflict', 'A keyword given is already in use by another opt-in path', { field: 'keywords' });
    throw error;
  });
}

export async function listOptInPaths(database: Database, companyId: number, campaignId?: number): Promise<OptInPathView[]> {
  if (campaignId !== undefined && !(await repo.findCampaign(database.db, companyId, campaignId))) throw notFound('Campaign');
  return toPathViews(database, companyId, await repo.listOptInPaths(database.db, companyId, campaignId));
}

export async function getOptInPath(database: Database, companyId: number, pathId: number): Promise<OptInPathView> {
  const row = await repo.findOptInPath(database.db, companyId, pathId);
  if (!row) throw notFound('Opt-in path');
  return (await toPathViews(database, companyId, [row]))[0]!;
}

export interface OptInPathInput {
  name: string;
  keywords?: string[];
  double_opt_in?: boolean;
  welcome_message?: string | null;
}

async function createOptInPathNow(database: Database, auth: AuthContext, campaignId: number, input: OptInPathInput): Promise<OptInPathView> {
  const problems: FieldProblem[] = [];
  const name = checkName(input.name, 'name', problems);
  const keywords = checkKeywords(input.keywords ?? [], problems);
  const welcome = checkText(input.welcome_message, 'welcome_message', LIMITS.welcome_message, problems) ?? null;
  if (problems.length) throw invalidInput(problems);
  return keywordConflict(database, () =>
    inTransaction(database, async (trx) => {
      const campaign = await repo.lockCampaign(trx, auth.companyId, campaignId, 'share');
      if (!campaign) throw notFound('Campaign');
      if (campaign.status !== 'active') throw new AppError('conflict', `Campaign ${JSON.stringify(campaign.name)} has ended; it takes no new opt-in paths`, { campaign_id: campaignId });
      await claimKeywords(trx, auth.companyId, null, keywords);
      const row = await repo.insertOptInPath(trx.db, auth.companyId, { campaign_id: campaignId, name, double_opt_in: input.double_opt_in ? 1 : 0, welcome_message: welcome, created_at: nowIso() });
      await repo.replaceKeywords(trx.db, auth.companyId, row.id, keywords);
      const view = (await toPathViews(trx, auth.companyId, [row]))[0]!;
      await recordAudit(trx.db, auth.companyId, auth.actor, [{
        action: 'opt_in_path.created',
        entityType: 'opt_in_path',
        entityId: row.id,
        changes: changedFields(null, { campaign_id: campaignId, name, keywords: view.keywords, double_opt_in: view.double_opt_in, welcome_message: welcome }),
      }]);
      return view;
    }),
  );
}

async function updateOptInPathNow(database: Database, auth: AuthContext, pathId: number, input: Partial<OptInPathInput>): Promise<OptInPathView> {
  const problems: FieldProblem[] = [];
  const name = input.name === undefined ? undefined : checkName(input.name, 'name', problems);
  const keywords = input.keywords === undefined ? undefined : checkKeywords(input.keywords, problems);
  const welcome = checkText(input.welcome_message, 'welcome_message', LIMITS.welcome_message, problems);
  if (problems.length) throw invalidInput(problems);
  return keywordConflict(database, () =>
    database.db.transaction().execute(async (trx) => {
      const row = await repo.findOptInPath(trx, auth.companyId, pathId);
      if (!row) throw notFound('Opt-in path');
      const [before] = await toPathViews({ db: trx }, auth.companyId, [row]);
      if (keywords) await claimKeywords({ db: trx }, auth.companyId, pathId, keywords);
      const after = {
        name: name ?? before!.name,
        keywords: keywords ? keywords.map((k) => k.keyword_key).sort() : before!.keywords,
        double_opt_in: input.double_opt_in ?? before!.double_opt_in,
        welcome_message: welcome === undefined ? before!.welcome_message : welcome,
      };
      const changes = changedFields({ ...before!, keywords: [...before!.keywords].sort() }, after);
      if (!Object.keys(changes).length) return before!;
      await repo.updateOptInPath(trx, auth.companyId, pathId, { name: after.name, double_opt_in: after.double_opt_in ? 1 : 0, welcome_message: after.welcome_message, updated_at: nowIso() });
      if (keywords) await repo.replaceKeywords(trx, auth.companyId, pathId, keywords);
      await recordAudit(trx, auth.companyId, auth.actor, [{ action: 'opt_in_path.updated', entityType: 'opt_in_path', entityId: pathId, changes }]);
      return (await toPathViews({ db: trx }, auth.companyId, [(await repo.findOptInPath(trx, auth.companyId, pathId))!]))[0]!;
    }),
  );
}

/** Deletes an opt-in path nobody subscribed through; one that was used keeps its place in its subscriptions' history (remove its keywords instead). */
async function deleteOptInPathNow(database: Database, auth: AuthContext, pathId: number): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    const row = await repo.findOptInPath(trx, auth.companyId, pathId);
    if (!row) throw notFound('Opt-in path');
    const used = Number((await repo.countPathSubscriptions(trx, auth.companyId, pathId)).n);
    if (used > 0) throw new AppError('conflict', `Opt-in path ${JSON.stringify(row.name)} has ${used} subscription${used === 1 ? '' : 's'}; remove its keywords instead of deleting it`, { opt_in_path_id: pathId });
    const [before] = await toPathViews({ db: trx }, auth.companyId, [row]);
    await repo.replaceKeywords(trx, auth.companyId, pathId, []);
    await repo.deleteOptInPath(trx, auth.companyId, pathId);
    await recordAudit(trx, auth.companyId, auth.actor, [{
      action: 'opt_in_path.deleted',
      entityType: 'opt_in_path',
      entityId: pathId,
      changes: changedFields({ name: before!.name, keywords: before!.keywords }, { name: null, keywords: null }),
    }]);
  });
}

/** The opt-in path an inbound message names by keyword (matched like STOP words: any case, trailing punctuation ignored), if any. */
export async function findOptInPathByKeyword(database: Pick<Database, 'db'>, companyId: number, body: string): Promise<OptInPathView | undefined> {
  const [owner] = await repo.findKeywordOwners(database.db, companyId, [keywordKey(body)]);
  if (!owner) return undefined;
  const row = await repo.findOptInPath(database.db, companyId, owner.opt_in_path_id);
  return row ? (await toPathViews(database, companyId, [row]))[0] : undefined;
}

// Every one-word inbound text looks its keyword up (messaging.service handleInbound). A path or keyword changed in this
// process counts at once; one changed by another process within a second. The subscription itself is checked again in
// the message's transaction (an ended campaign or a deleted path subscribes nobody). Words that are no keyword are kept
// too (as `path: undefined`): most one-word texts are not keywords.
const keywordPaths = new ShortCache<{ path: OptInPathView | undefined }>({ max: 10_000, ttlMs: 1_000 });

/** findOptInPathByKeyword for the inbound path: the answer may be up to a second old when another process changed keywords. */
export async function recentOptInPathByKeyword(database: Database, companyId: number, body: string): Promise<OptInPathView | undefined> {
  const kept = await keywordPaths.get(database, `${companyId}:${keywordKey(body)}`, async () => ({ value: { path: await findOptInPathByKeyword(database, companyId, body) } }));
  return kept!.path;
}

/** Runs a change of paths or keywords, then lets recentOptInPathByKeyword read them again. */
function changingKeywords<A extends unknown[], R>(change: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) => afterCommit(keywordPaths, change(...args));
}

/** Deletes a campaign nobody ever subscribed to, with its opt-in paths (see deleteCampaignNow). */
export const deleteCampaign = changingKeywords(deleteCampaignNow);
/** Creates an opt-in path with its keywords (see createOptInPathNow). */
export const createOptInPath = changingKeywords(createOptInPathNow);
/** Changes an opt-in path or its keywords (see updateOptInPathNow). */
export const updateOptInPath = changingKeywords(updateOptInPathNow);
/** Deletes an opt-in path and frees its keywords (see deleteOptInPathNow). */
export const deleteOptInPath = changingKeywords(deleteOptInPathNow);

/** A subscription on a campaign's page: the subscription and who it is. */
export type CampaignSubscriber = SubscriptionView & { phone_number: string | null; first_name: string | null; last_name: string | null };

export async function listCampaignSubscriptions(
  database: Database,
  companyId: number,
  campaignId: number,
  query: { status?: string; page?: number; per_page?: number },
): Promise<{ data: CampaignSubscriber[]; page: number; per_page: number; total: number }> {
  const problems: FieldProblem[] = [];
  if (query.status !== undefined && !(SUBSCRIPTION_STATES as readonly string[]).includes(query.status)) {
    problems.push({ field: 'status', value: query.status, message: `is not accepted (accepted: ${SUBSCRIPTION_STATES.join(', ')})` });
  }
  if (problems.length) throw invalidInput(problems);
  if (!(await repo.findCampaign(database.db, companyId, campaignId))) throw notFound('Campaign');
  const page = query.page ?? 1;
  const perPage = query.per_page ?? 50;
  const [rows, counts] = await Promise.all([
    repo.pageOfCampaignSubscriptions(database.db, companyId, campaignId, { status: query.status, limit: perPage, offset: (page - 1) * perPage }),
    repo.countCampaignSubscriptions(database.db, companyId, campaignId),
  ]);
  const profiles = new Map<number, ProfileRow>((await findProfilesByIds(database.db, companyId, rows.map((r) => r.profile_id))).map((p) => [p.id, p]));
  return {
    data: rows.map((row) => {
      const profile = profiles.get(row.profile_id);
      return { ...toSubscriptionView(row), phone_number: profile?.phone_number ?? profile?.raw_phone ?? null, first_name: profile?.first_name ?? null, last_name: profile?.last_name ?? null };
    }),
    page,
    per_page: perPage,
    total: counts.filter((c) => query.status === undefined || c.status === query.status).reduce((n, c) => n + Number(c.n), 0),
  };
}

/** Staff subscribe a profile from the API or the profile page (never confirmed by the person unless `confirmed`). */
export function subscribeProfile(database: Database, auth: AuthContext, campaignId: number, input: { profile_id: number; opt_in_path_id?: number | null; confirmed?: boolean }): Promise<SubscribeResult> {
  return subscribe(database, auth.companyId, auth.actor, { profileId: input.profile_id, campaignId, optInPathId: input.opt_in_path_id, confirmed: input.confirmed });
}

export async function getSubscription(database: Database, companyId: number, subscriptionId: number): Promise<SubscriptionView> {
  const row = await repo.findSubscription(database.db, companyId, subscriptionId);
  if (!row) throw notFound('Subscription');
  return toSubscriptionView(row);
}

/** Staff remove a subscription (status removed); one already ended is answered as it is. */
export async function removeSubscription(database: Database, auth: AuthContext, subscriptionId: number): Promise<SubscriptionView> {
  const row = await repo.findSubscription(database.db, auth.companyId, subscriptionId);
  if (!row) throw notFound('Subscription');
  return (await unsubscribe(database, auth.companyId, auth.actor, { profileId: row.profile_id, campaignId: row.campaign_id, by: 'staff' })).subscription;
}
