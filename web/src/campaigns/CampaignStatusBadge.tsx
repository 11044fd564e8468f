import { Badge } from '@mantine/core';
import type { CampaignStatus } from './types';

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return (
    <Badge color={status === 'active' ? 'teal' : 'gray'} variant="light" data-testid="campaign-status">
      {status === 'active' ? 'Active' : 'Ended'}
    </Badge>
  );
}
