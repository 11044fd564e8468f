import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconUserOff } from '@tabler/icons-react';
import { useOptOutProfile } from './useMessaging';

interface OptOutButtonProps {
  profileId: number;
  /** Where staff opt the person out; the profile's description says it (SPEC §3). */
  reason: 'Opt-out from Inbox' | 'Opt-out from profile';
  label?: string;
  size?: 'xs' | 'sm';
  /** Also clear the conversation's possible opt-out flags (confirming one from the Inbox). */
  settlePossibleOptOuts?: boolean;
}

/** Opts a profile out of everything after a confirmation. */
export function OptOutButton({ profileId, reason, label = 'Opt out', size = 'sm', settlePossibleOptOuts = false }: OptOutButtonProps) {
  const [opened, modal] = useDisclosure(false);
  const optOut = useOptOutProfile();
  return (
    <>
      <Button color="red" variant="light" size={size} leftSection={<IconUserOff size={16} />} onClick={modal.open}>
        {label}
      </Button>
      <Modal opened={opened} onClose={modal.close} title="Opt this person out?">
        <Stack>
          <Text size="sm">
            They are opted out of every campaign at once and Roster will not text them again. The profile will read “Undeliverable - {reason}”. Staff can
            opt them in again later.
          </Text>
          {optOut.error && <Alert color="red">{optOut.error.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={modal.close}>
              Cancel
            </Button>
            <Button color="red" loading={optOut.isPending} onClick={() => optOut.mutate({ profileId, reason, settlePossibleOptOuts }, { onSuccess: modal.close })}>
              Opt out
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
