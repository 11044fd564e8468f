import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import type { InfiniteData } from '@tanstack/react-query';
import { MessageBubble } from './MessageBubble';
import type { ConversationPage } from './types';
import type { useConversation } from './useMessaging';

/** Pages are newest first; a conversation reads oldest first, top to bottom. */
export function oldestFirst(data: InfiniteData<ConversationPage> | undefined) {
  return (data?.pages ?? []).flatMap((p) => p.data).reverse();
}

/** The MO/MT history of one profile, oldest at the top, with older messages loaded on demand. */
export function Conversation({ conversation }: { conversation: ReturnType<typeof useConversation> }) {
  if (conversation.isPending) {
    return (
      <Center py="md">
        <Loader size="sm" aria-label="Loading messages" />
      </Center>
    );
  }
  if (conversation.error) return <Alert color="red">{conversation.error.message}</Alert>;
  const messages = oldestFirst(conversation.data);
  return (
    <Stack gap="sm" aria-label="Messages" role="log">
      {conversation.hasNextPage && (
        <Center>
          <Button variant="subtle" size="xs" loading={conversation.isFetchingNextPage} onClick={() => void conversation.fetchNextPage()}>
            Show older messages
          </Button>
        </Center>
      )}
      {messages.length === 0 && (
        <Text c="dimmed" size="sm" ta="center" py="md">
          No messages yet.
        </Text>
      )}
      {messages.map((m) => (
        <MessageBubble key={m.id} message={m} />
      ))}
    </Stack>
  );
}
