import { Badge, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import { formatDateTime } from '../profiles/format';
import { MESSAGE_STATUS_LABELS, type Message } from './types';

/** What an inbound message asked for, or what an automatic reply answers; plain conversation is not labelled. */
const INTENT_LABELS: Record<string, string> = { stop: 'STOP word', start: 'START word', help: 'HELP', keyword: 'Keyword' };

/**
 * One message: MO (from the phone) on the left, MT (from Roster) on the right, each MT with its delivery state,
 * the gateway's error code when it failed, and the carrier when the gateway named it.
 */
export function MessageBubble({ message, phoneSide = false }: { message: Message; phoneSide?: boolean }) {
  const inbound = message.direction === 'inbound';
  // On the simulated phone the person's own messages are the ones on the right.
  const right = phoneSide ? inbound : !inbound;
  const state = MESSAGE_STATUS_LABELS[message.status];
  return (
    <Group justify={right ? 'flex-end' : 'flex-start'} data-testid="message" data-direction={message.direction} data-message-id={message.id}>
      <Stack gap={2} maw="75%" align={right ? 'flex-end' : 'flex-start'}>
        <Paper
          px="sm"
          py={6}
          radius="lg"
          bg={right ? 'var(--mantine-color-indigo-filled)' : 'var(--mantine-color-gray-1)'}
          c={right ? 'white' : undefined}
          aria-label={`${inbound ? 'MO' : 'MT'} message`}
        >
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid="message-body">
            {message.body}
          </Text>
        </Paper>
        <Group gap={6} wrap="wrap" justify={right ? 'flex-end' : 'flex-start'}>
          <Text size="xs" c="dimmed">
            {inbound ? 'MO' : 'MT'} · {formatDateTime(message.created_at)}
          </Text>
          {!inbound && (
            <Badge size="xs" variant="light" color={state.color} data-testid="message-status">
              {state.label}
            </Badge>
          )}
          {message.error_code && (
            <Tooltip label={message.error_message ?? 'The gateway gave no description'} disabled={!message.error_message}>
              <Badge size="xs" variant="outline" color="red" data-testid="message-error">
                Error {message.error_code}
              </Badge>
            </Tooltip>
          )}
          {message.carrier_name && (
            <Text size="xs" c="dimmed">
              {message.carrier_name}
            </Text>
          )}
          {inbound && message.possible_opt_out && (
            <Badge size="xs" color="orange" variant="filled">
              Possible opt-out
            </Badge>
          )}
          {message.intent && INTENT_LABELS[message.intent] && (
            <Text size="xs" c="dimmed" fs="italic" data-testid="message-intent">
              {INTENT_LABELS[message.intent]}
            </Text>
          )}
        </Group>
        {message.error_message && (
          <Text size="xs" c="red">
            {message.error_message}
          </Text>
        )}
      </Stack>
    </Group>
  );
}
