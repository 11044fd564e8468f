import { Group, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconCircleMinus, IconCircleX } from '@tabler/icons-react';

/** The seed's three states (opted in / opted out / not subscribed), plus invalid data, by status. */
function subscriptionState(status: string) {
  switch (status) {
    case 'Active Subscriber': return { label: 'Opted in', color: 'teal', Icon: IconCircleCheck };
    case 'Opted Out': return { label: 'Opted out', color: 'red', Icon: IconCircleX };
    case 'Invalid Profile Data': return { label: 'Invalid profile data', color: 'orange', Icon: IconAlertTriangle };
    default: return { label: 'Not subscribed', color: 'gray', Icon: IconCircleMinus };
  }
}

/** Icon and state, the status text when it says more (Former Subscriber, Synced…), and why a profile cannot be texted. */
export function SubscriptionStatusLabel({ status, description }: { status: string; description: string | null }) {
  const state = subscriptionState(status);
  return (
    <Group gap={8} wrap="nowrap" align="flex-start">
      <ThemeIcon variant="light" color={state.color} size="sm" radius="xl" aria-hidden>
        <state.Icon size={14} />
      </ThemeIcon>
      <Stack gap={0}>
        <Text size="sm" fw={500}>
          {state.label}
        </Text>
        {status.toLowerCase() !== state.label.toLowerCase() && (
          <Text size="xs" c="dimmed">
            {status}
          </Text>
        )}
        {description && (
          <Text size="xs" c="dimmed">
            {description}
          </Text>
        )}
      </Stack>
    </Group>
  );
}
