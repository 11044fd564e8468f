/** Shapes of the campaigns API (src/features/campaigns/campaigns.routes.ts) that these screens read. */
import type { Subscription } from '../api/types';

export type CampaignStatus = 'active' | 'ended';
export const SUBSCRIPTION_STATES = ['pending', 'active', 'opted_out', 'removed'] as const;
export type SubscriptionState = (typeof SUBSCRIPTION_STATES)[number];

export interface Campaign {
  id: number;
  name: string;
  description: string | null;
  status: CampaignStatus;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface CampaignDetail extends Campaign {
  /** How many subscriptions the campaign has in each status. */
  subscriptions: Record<SubscriptionState, number>;
}

export interface OptInPath {
  id: number;
  campaign_id: number;
  name: string;
  keywords: string[];
  double_opt_in: boolean;
  welcome_message: string | null;
  created_at: string;
  updated_at: string;
}

export interface OptInPathInput {
  name: string;
  keywords: string[];
  double_opt_in: boolean;
  welcome_message: string | null;
}

export interface CampaignSubscriber extends Subscription {
  phone_number: string | null;
  first_name: string | null;
  last_name: string | null;
}

export interface SubscriberPage {
  data: CampaignSubscriber[];
  page: number;
  per_page: number;
  total: number;
}

export interface SubscribeResult {
  outcome: 'subscribed' | 'pending' | 'already_subscribed' | 'profile_opted_out';
  subscription: Subscription | null;
}

/** Subscription states as people read them. */
export const SUBSCRIPTION_STATE_LABELS: Record<SubscriptionState, { label: string; color: string }> = {
  pending: { label: 'Pending', color: 'yellow' },
  active: { label: 'Active', color: 'teal' },
  opted_out: { label: 'Opted out', color: 'red' },
  removed: { label: 'Removed', color: 'gray' },
};
