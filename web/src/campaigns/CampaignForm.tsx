import { Alert, Button, Group, Modal, Stack, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { Campaign } from './types';
import { useSaveCampaign } from './useCampaigns';

interface CampaignFormProps {
  opened: boolean;
  onClose: () => void;
  /** The campaign to edit; a new one when absent. */
  campaign?: Campaign;
  onSaved?: (campaign: Campaign) => void;
}

/** Create or edit a campaign's name and description; the server's field errors appear beside the inputs. */
export function CampaignForm({ opened, onClose, campaign, onSaved }: CampaignFormProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={campaign ? 'Edit campaign' : 'New campaign'}>
      {/* Mounted only while open so each opening starts from the campaign as stored. */}
      {opened && <CampaignFormBody campaign={campaign} onClose={onClose} onSaved={onSaved} />}
    </Modal>
  );
}

function CampaignFormBody({ campaign, onClose, onSaved }: Omit<CampaignFormProps, 'opened'>) {
  const [name, setName] = useState(campaign?.name ?? '');
  const [description, setDescription] = useState(campaign?.description ?? '');
  const save = useSaveCampaign(campaign?.id);
  const problems = save.error instanceof ApiError ? save.error.fieldProblems : [];
  const errorFor = (field: string) => problems.filter((p) => p.field === field).map((p) => p.message).join('; ') || undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      { name, description: description.trim() === '' ? null : description },
      {
        onSuccess: (saved) => {
          onSaved?.(saved);
          onClose();
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label={campaign ? 'Edit campaign' : 'New campaign'} noValidate>
      <Stack>
        {save.error && problems.length === 0 && <Alert color="red">{save.error.message}</Alert>}
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errorFor('name')} data-autofocus />
        <Textarea label="Description" autosize minRows={2} value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={errorFor('description')} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {campaign ? 'Save' : 'Create campaign'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
