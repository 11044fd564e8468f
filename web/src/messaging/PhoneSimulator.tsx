import { Alert, Button, Drawer, Group, ScrollArea, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconDeviceMobile, IconSend } from '@tabler/icons-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { MessageBubble } from './MessageBubble';
import { useSendFromPhone, useSimulatorState, useSimulatorThread } from './useMessaging';

/**
 * A pretend phone (SPEC §4, the simulator gateway): type any number and a message, send it to Roster as that
 * number would, and read the thread with Roster's replies. Shown only while the simulator is the gateway.
 */
function PhoneSimulatorPanel({ active }: { active: boolean }) {
  const [from, setFrom] = useState('');
  const [body, setBody] = useState('');
  // The thread follows the number that last sent, not every keystroke in the number field.
  const [threadNumber, setThreadNumber] = useState('');
  const send = useSendFromPhone();
  const thread = useSimulatorThread(threadNumber, active);
  const bottom = useRef<HTMLDivElement>(null);
  const last = thread.data?.at(-1)?.id;
  // A block body: scrollIntoView answers a Promise in newer browsers, which React would take for a cleanup.
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [last]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate(
      { from, body },
      {
        onSuccess: () => {
          setBody('');
          setThreadNumber(from);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="Phone simulator">
      <Stack gap="sm">
        <TextInput
          label="From number"
          description="Any number, written any way"
          placeholder="(202) 555-0143"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          onBlur={() => setThreadNumber(from)}
          error={send.error?.message}
        />
        <ScrollArea.Autosize mah="50vh" type="auto">
          <Stack gap="xs" role="log" aria-label="Phone thread" py="xs">
            {threadNumber && thread.data?.length === 0 && (
              <Text size="sm" c="dimmed" ta="center">
                No messages with this number yet.
              </Text>
            )}
            {thread.data?.map((m) => (
              <MessageBubble key={m.id} message={m} phoneSide />
            ))}
            <div ref={bottom} />
          </Stack>
        </ScrollArea.Autosize>
        {send.data && (
          <Text size="xs" c="dimmed">
            {send.data.profile_created ? 'A new profile was created. ' : ''}
            <Link to={`/profiles/${send.data.profile_id}`}>Open the profile</Link>
          </Text>
        )}
        <Group align="flex-end" gap="xs" wrap="nowrap">
          <Textarea
            style={{ flex: 1 }}
            aria-label="Text to send"
            placeholder="Text message"
            autosize
            minRows={1}
            maxRows={4}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) {
                e.preventDefault();
                e.currentTarget.form?.requestSubmit();
              }
            }}
          />
          <Button type="submit" leftSection={<IconSend size={16} />} loading={send.isPending} disabled={!from.trim() || !body.trim()}>
            Send
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The header's button that opens the phone simulator; nothing when the gateway is not the simulator. */
export function PhoneSimulatorButton() {
  const state = useSimulatorState();
  const [opened, drawer] = useDisclosure(false);
  if (!state.data?.enabled) return null;
  return (
    <>
      <Button variant="light" size="xs" leftSection={<IconDeviceMobile size={14} />} onClick={drawer.toggle}>
        Phone simulator
      </Button>
      <Drawer opened={opened} onClose={drawer.close} position="right" title="Phone simulator" size="md" keepMounted>
        <Stack gap="xs">
          {state.error && <Alert color="red">{state.error.message}</Alert>}
          {/* Kept mounted while closed so the number and thread survive closing the drawer. */}
          <PhoneSimulatorPanel active={opened} />
        </Stack>
      </Drawer>
    </>
  );
}
