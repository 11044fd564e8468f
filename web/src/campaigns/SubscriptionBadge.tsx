import { Badge } from '@mantine/core';
import { SUBSCRIPTION_STATE_LABELS, type SubscriptionState } from './types';

export function SubscriptionBadge({ status }: { status: SubscriptionState }) {
  const state = SUBSCRIPTION_STATE_LABELS[status];
  return (
    <Badge color={state.color} variant="light" data-testid="subscription-status">
      {state.label}
    </Badge>
  );
}
