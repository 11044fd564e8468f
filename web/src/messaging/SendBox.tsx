import { Alert, Button, Group, Stack, Textarea } from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { useSendMessage } from './useMessaging';

/** The reason a refused send gives (409 not_textable names it in details.reason), else its message. */
function refusal(error: Error | null): string | null {
  if (!error) return null;
  if (error instanceof ApiError && typeof error.details.reason === 'string') return error.details.reason;
  return error.message;
}

interface SendBoxProps {
  profileId: number;
  textable: boolean;
  untextableReason: string | null;
}

/** A box to text the profile; disabled, with the reason, when Roster may not text it (SPEC §3, the send invariant). */
export function SendBox({ profileId, textable, untextableReason }: SendBoxProps) {
  const [body, setBody] = useState('');
  const send = useSendMessage(profileId);
  const refused = refusal(send.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!body.trim()) return;
    send.mutate(body, { onSuccess: () => setBody('') });
  };

  return (
    <form onSubmit={submit} aria-label="Send a message">
      <Stack gap="xs">
        {!textable && (
          <Alert color="red" title="This profile cannot be texted" data-testid="untextable-reason">
            {untextableReason ?? 'Roster may not text this number.'}
          </Alert>
        )}
        {refused && (
          <Alert color="red" title="Not sent" data-testid="send-refused" withCloseButton onClose={() => send.reset()}>
            {refused}
          </Alert>
        )}
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <Textarea
            style={{ flex: 1 }}
            aria-label="Message"
            placeholder={textable ? 'Type a message' : 'Sending is off for this profile'}
            autosize
            minRows={1}
            maxRows={6}
            value={body}
            disabled={!textable}
            onChange={(e) => setBody(e.currentTarget.value)}
            onKeyDown={(e) => {
              // Enter sends; Shift+Enter starts a new line.
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <Button type="submit" leftSection={<IconSend size={16} />} disabled={!textable || !body.trim()} loading={send.isPending}>
            Send
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
