import { Alert, Button, Group, Modal, Stack, Switch, TagsInput, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import type { OptInPath } from './types';
import { useSaveOptInPath } from './useCampaigns';

interface OptInPathFormProps {
  campaignId: number;
  opened: boolean;
  onClose: () => void;
  path?: OptInPath;
}

/** Add or change an opt-in path: name, keywords, double opt-in, welcome message. */
export function OptInPathForm({ campaignId, opened, onClose, path }: OptInPathFormProps) {
  return (
    <Modal opened={opened} onClose={onClose} title={path ? 'Edit opt-in path' : 'New opt-in path'} size="lg">
      {opened && <OptInPathFormBody campaignId={campaignId} onClose={onClose} path={path} />}
    </Modal>
  );
}

function OptInPathFormBody({ campaignId, onClose, path }: Omit<OptInPathFormProps, 'opened'>) {
  const [name, setName] = useState(path?.name ?? '');
  const [keywords, setKeywords] = useState<string[]>(path?.keywords ?? []);
  const [doubleOptIn, setDoubleOptIn] = useState(path?.double_opt_in ?? false);
  const [welcome, setWelcome] = useState(path?.welcome_message ?? '');
  const save = useSaveOptInPath(campaignId, path?.id);

  const error = save.error instanceof ApiError ? save.error : null;
  const problems = error?.fieldProblems ?? [];
  const errorFor = (field: string) => problems.filter((p) => p.field === field).map((p) => p.message).join('; ') || undefined;
  // Each refused keyword by name ("keywords.1"), and a keyword another path holds (a 409 naming it and its path).
  const keywordErrors = [
    ...problems.filter((p) => p.field === 'keywords' || p.field.startsWith('keywords.')).map((p) => (p.value === undefined ? p.message : `${String(p.value)} ${p.message}`)),
    ...(error && error.details.field === 'keywords' ? [error.message] : []),
  ];
  const shownElsewhere = problems.length > 0 || error?.details.field === 'keywords';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate({ name, keywords, double_opt_in: doubleOptIn, welcome_message: welcome.trim() === '' ? null : welcome }, { onSuccess: onClose });
  };

  return (
    <form onSubmit={submit} aria-label={path ? 'Edit opt-in path' : 'New opt-in path'} noValidate>
      <Stack>
        {save.error && !shownElsewhere && <Alert color="red">{save.error.message}</Alert>}
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errorFor('name')} data-autofocus />
        <TagsInput
          label="Keywords"
          description="Words a person texts to join; any case. Press Enter after each."
          value={keywords}
          onChange={setKeywords}
          acceptValueOnBlur
          splitChars={[',', ' ']}
          error={keywordErrors.length ? keywordErrors.join('; ') : undefined}
        />
        <Switch
          label="Double opt-in"
          description="The subscription stays pending until the person replies YES."
          checked={doubleOptIn}
          onChange={(e) => setDoubleOptIn(e.currentTarget.checked)}
        />
        <Textarea
          label="Welcome message"
          description="Sent when the subscription becomes active."
          autosize
          minRows={2}
          value={welcome}
          onChange={(e) => setWelcome(e.currentTarget.value)}
          error={errorFor('welcome_message')}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {path ? 'Save' : 'Add opt-in path'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
