import { Button, Group, Stack } from '@mantine/core';
import { IconMessage } from '@tabler/icons-react';
import { Link } from 'react-router';
import { Conversation } from '../messaging/Conversation';
import { useConversation } from '../messaging/useMessaging';

/** The profile's latest messages, MO and MT, with a way into the full chat. */
export function MessageHistory({ profileId }: { profileId: number }) {
  const conversation = useConversation(profileId, 20, false);
  return (
    <Stack gap="sm">
      <Conversation conversation={conversation} />
      <Group justify="flex-end">
        <Button variant="light" component={Link} to={`/profiles/${profileId}/chat`} leftSection={<IconMessage size={16} />}>
          Open chat
        </Button>
      </Group>
    </Stack>
  );
}
