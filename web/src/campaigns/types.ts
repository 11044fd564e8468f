/** The campaigns API's answers and bodies these screens use, as the routes declare them (generated: ../api/openapi.ts). */
import type { Answer, Body } from '../api/openapi';

export const SUBSCRIPTION_STATES = ['pending', 'active', 'opted_out', 'removed'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

/** A campaign with how many subscriptions it has in each status. */
export type CampaignDetail = Answer<'/api/v1/campaigns/{id}', 'get'>;

export type Campaign = Answer<'/api/v1/campaigns', 'get'>['data'][number];

export type CampaignStatus = Campaign['status'];

export type OptInPath = Answer<'/api/v1/opt-in-paths', 'get'>['data'][number];

export type OptInPathInput = Body<'/api/v1/campaigns/{id}/opt-in-paths', 'post'>;

export type SubscriberPage = Answer<'/api/v1/campaigns/{id}/subscriptions', 'get'>;

export type CampaignSubscriber = SubscriberPage['data'][number];

export type SubscribeResult = Answer<'/api/v1/campaigns/{id}/subscriptions', 'post', 201>;

/** Subscription states as people read them. */
export const SUBSCRIPTION_STATE_LABELS: Record<SubscriptionState, { label: string; color: string }> = {
  pending: { label: 'Pending', color: 'yellow' },
  active: { label: 'Active', color: 'teal' },
  opted_out: { label: 'Opted out', color: 'red' },
  removed: { label: 'Removed', color: 'gray' },
};
