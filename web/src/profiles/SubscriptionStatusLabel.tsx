import { Group, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCircleMinus, IconCircleX } from '@tabler/icons-react';

/** The seed's three states (opted in / opted out / not subscribed), plus invalid data, by status. */
function subscriptionState(status: string) {
  switch (status) {
    case 'Active Subscriber': return { label: 'opted in', color: 'teal', Icon: IconCircleCheck };
    case 'Opted Out': return { label: 'opted out', color: 'red', Icon: IconCircleX };
    case 'Invalid Profile Data': return { label: 'invalid profile data', color: 'orange', Icon: IconAlertTriangle };
    default: return { label: 'not subscribed', color: 'gray', Icon: IconCircleMinus };
  }
}

/** Icon and status text, with the reason when the profile cannot be texted. */
export function SubscriptionStatusLabel({ status, description }: { status: string; description: string | null }) {
  const state = subscriptionState(status);
  return (
    <Group gap={8} wrap="nowrap" align="flex-start">
      <ThemeIcon variant="light" color={state.color} size="sm" radius="xl" aria-label={state.label} title={state.label}>
        <state.Icon size={14} />
      </ThemeIcon>
      <Stack gap={0}>
        <Text size="sm">{status}</Text>
        {description && (
          <Text size="xs" c="dimmed">
            {description}
          </Text>
        )}
      </Stack>
    </Group>
  );
}
