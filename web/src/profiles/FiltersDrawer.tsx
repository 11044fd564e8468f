import { Button, Divider, Drawer, Group, MultiSelect, Radio, Select, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import type { CustomField } from '../api/types';
import { FieldConditionEditor } from './FieldConditionEditor';
import {
  conditionProblem, FIRST_SEEN_TYPES, NO_FILTERS, OPS_BY_TYPE, SUBSCRIPTION_FILTERS, UNDELIVERABLE_REASONS,
  type ProfileFilters, type SubscriptionFilter,
} from './listState';

interface FiltersDrawerProps {
  opened: boolean;
  applied: ProfileFilters;
  fields: readonly CustomField[];
  genderOptions: readonly string[];
  onApply: (filters: ProfileFilters) => void;
  onClose: () => void;
}

/** The Filters pane: choices change nothing until APPLY, as in the seed. */
export function FiltersDrawer({ opened, applied, fields, genderOptions, onApply, onClose }: FiltersDrawerProps) {
  return (
    <Drawer opened={opened} onClose={onClose} position="right" title={<Text fw={700}>Filters</Text>} size="md">
      {/* Mounted afresh on each opening so the draft starts from what is applied. */}
      {opened && <FiltersForm applied={applied} fields={fields} genderOptions={genderOptions} onApply={onApply} />}
    </Drawer>
  );
}

function FiltersForm({ applied, fields, genderOptions, onApply }: Omit<FiltersDrawerProps, 'opened' | 'onClose'>) {
  const [draft, setDraft] = useState<ProfileFilters>(applied);
  const [showProblems, setShowProblems] = useState(false);
  const [newField, setNewField] = useState<string | null>(null);
  const change = (part: Partial<ProfileFilters>) => setDraft((current) => ({ ...current, ...part }));

  const addCondition = (id: string | null) => {
    const field = fields.find((f) => String(f.id) === id);
    if (!field) return;
    change({ conditions: [...draft.conditions, { fieldId: field.id, op: OPS_BY_TYPE[field.field_type][0]!, value: '' }] });
    setNewField(null);
  };

  const apply = () => {
    if (draft.conditions.some((c) => conditionProblem(c))) return setShowProblems(true);
    onApply(draft);
  };

  return (
    <Stack gap="lg">
      <Radio.Group label="Subscription status" value={draft.subscriptionStatus} onChange={(value) => change({ subscriptionStatus: value as SubscriptionFilter })}>
        <Stack gap={6} mt={6}>
          {SUBSCRIPTION_FILTERS.map((option) => (
            <Radio key={option.value} value={option.value} label={option.label} />
          ))}
        </Stack>
      </Radio.Group>

      <MultiSelect
        label="First seen type"
        placeholder={draft.firstSeenTypes.length ? undefined : 'Any'}
        data={[...FIRST_SEEN_TYPES]}
        value={draft.firstSeenTypes}
        onChange={(firstSeenTypes) => change({ firstSeenTypes })}
        clearable
      />

      <MultiSelect
        label="Undeliverable reason"
        placeholder={draft.undeliverableReasons.length ? undefined : 'Any'}
        data={[...UNDELIVERABLE_REASONS]}
        value={draft.undeliverableReasons}
        onChange={(undeliverableReasons) => change({ undeliverableReasons })}
        clearable
      />

      <Stack gap="xs">
        <Text size="sm" fw={500}>
          Custom fields
        </Text>
        {draft.conditions.map((condition, index) => (
          <FieldConditionEditor
            key={index}
            condition={condition}
            fields={fields}
            genderOptions={genderOptions}
            showProblems={showProblems}
            onChange={(next) => change({ conditions: draft.conditions.map((c, i) => (i === index ? next : c)) })}
            onRemove={() => change({ conditions: draft.conditions.filter((_, i) => i !== index) })}
          />
        ))}
        {fields.length > 0 ? (
          <Select
            aria-label="Add a custom field condition"
            placeholder="Add a condition on…"
            leftSection={<IconPlus size={14} />}
            data={fields.map((f) => ({ value: String(f.id), label: f.name }))}
            value={newField}
            onChange={addCondition}
          />
        ) : (
          <Text size="sm" c="dimmed">
            This company has no custom fields.
          </Text>
        )}
      </Stack>

      <Divider />
      <Group justify="space-between">
        <Button variant="subtle" color="gray" onClick={() => setDraft(NO_FILTERS)}>
          Clear all
        </Button>
        <Button onClick={apply}>APPLY</Button>
      </Group>
    </Stack>
  );
}
