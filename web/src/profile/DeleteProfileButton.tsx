import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconTrash } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { useDeleteProfile } from './useProfile';

/** Admins only: erases the profile after a confirmation (the number stays hashed with its opt-out state). */
export function DeleteProfileButton({ profileId, backTo }: { profileId: number; backTo: string }) {
  const [opened, modal] = useDisclosure(false);
  const remove = useDeleteProfile(profileId);
  const navigate = useNavigate();
  return (
    <>
      <Button color="red" variant="light" leftSection={<IconTrash size={16} />} onClick={modal.open}>
        Delete
      </Button>
      <Modal opened={opened} onClose={modal.close} title="Delete this profile?">
        <Stack>
          <Text size="sm">
            Its personal data is erased, also from the audit trail. The number is kept only as a hash with its opt-out state, so a number that opted
            out is never texted again.
          </Text>
          {remove.error && <Alert color="red">{remove.error.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={modal.close}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(undefined, { onSuccess: () => navigate(backTo) })}>
              Delete profile
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
