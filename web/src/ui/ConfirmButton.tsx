import { Alert, Button, Group, Modal, Stack, Text, type ButtonProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';

interface ConfirmButtonProps {
  label: string;
  /** The dialog's title, a question ("End this campaign?"). */
  title: string;
  text: ReactNode;
  /** The confirming button's label. */
  confirm: string;
  color?: string;
  size?: ButtonProps['size'];
  icon?: ReactNode;
  pending: boolean;
  error: Error | null;
  /** Runs the action; `close` shuts the dialog once it has succeeded. */
  onConfirm: (close: () => void) => void;
}

/** A button whose action runs only after the person confirms it in a dialog, which shows the action's error. */
export function ConfirmButton({ label, title, text, confirm, color, size = 'sm', icon, pending, error, onConfirm }: ConfirmButtonProps) {
  const [opened, modal] = useDisclosure(false);
  return (
    <>
      <Button variant="light" color={color} size={size} leftSection={icon} onClick={modal.open}>
        {label}
      </Button>
      <Modal opened={opened} onClose={modal.close} title={title}>
        <Stack>
          <Text size="sm">{text}</Text>
          {error && <Alert color="red">{error.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={modal.close}>
              Cancel
            </Button>
            <Button color={color} loading={pending} onClick={() => onConfirm(modal.close)}>
              {confirm}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
