import { ActionIcon, Group, MultiSelect, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import type { CustomField, FieldType } from '../api/types';
import { conditionProblem, OPS_BY_TYPE, opLabel, type ConditionOp, type FieldCondition } from './listState';

/** The HTML input that suits a field type's values (the API takes dates as YYYY-MM-DD, times as HH:MM). */
function inputType(type: FieldType): string {
  if (type === 'date') return 'date';
  if (type === 'time_of_day') return 'time';
  if (type === 'number' || type === 'age') return 'number';
  return 'text';
}

interface ValueInputProps {
  field: CustomField;
  condition: FieldCondition;
  genderOptions: readonly string[];
  error: string | null;
  onChange: (value: string) => void;
}

function ConditionValue({ field, condition, genderOptions, error, onChange }: ValueInputProps) {
  const label = `${field.name} value`;
  if (condition.op === 'empty') return null;
  if (field.field_type === 'yes_no') {
    return (
      <Select
        aria-label={label}
        data={[{ value: 'true', label: 'Yes' }, { value: 'false', label: 'No' }]}
        value={condition.value || null}
        onChange={(value) => onChange(value ?? '')}
        error={error && 'Choose yes or no'}
        placeholder="Yes or no"
      />
    );
  }
  if (condition.op === 'in') {
    return (
      <MultiSelect
        aria-label={label}
        data={[...genderOptions]}
        value={condition.value ? condition.value.split('|') : []}
        onChange={(values) => onChange(values.join('|'))}
        error={error}
        placeholder="Choose options"
      />
    );
  }
  if (condition.op === 'between') {
    const [low = '', high = ''] = condition.value.split(',');
    return (
      <Group gap="xs" grow align="flex-start">
        <TextInput aria-label={`${field.name} from`} type={inputType(field.field_type)} value={low} onChange={(e) => onChange(`${e.currentTarget.value},${high}`)} error={error} />
        <TextInput aria-label={`${field.name} to`} type={inputType(field.field_type)} value={high} onChange={(e) => onChange(`${low},${e.currentTarget.value}`)} />
      </Group>
    );
  }
  return <TextInput aria-label={label} type={inputType(field.field_type)} value={condition.value} onChange={(e) => onChange(e.currentTarget.value)} error={error} />;
}

interface FieldConditionEditorProps {
  condition: FieldCondition;
  fields: readonly CustomField[];
  genderOptions: readonly string[];
  showProblems: boolean;
  onChange: (condition: FieldCondition) => void;
  onRemove: () => void;
}

/** One custom-field condition: which field, how to compare, and the value(s). */
export function FieldConditionEditor({ condition, fields, genderOptions, showProblems, onChange, onRemove }: FieldConditionEditorProps) {
  const field = fields.find((f) => f.id === condition.fieldId);
  if (!field) return null;
  const ops = OPS_BY_TYPE[field.field_type];
  const problem = showProblems ? conditionProblem(condition) : null;

  const changeField = (id: string | null) => {
    const next = fields.find((f) => String(f.id) === id);
    if (next) onChange({ fieldId: next.id, op: OPS_BY_TYPE[next.field_type][0]!, value: '' });
  };
  const changeOp = (op: string | null) => {
    // A range and a single value are written differently, so switching between them starts afresh.
    if (op) onChange({ ...condition, op: op as ConditionOp, value: op === 'between' || condition.op === 'between' ? '' : condition.value });
  };

  return (
    <Paper withBorder p="xs" radius="sm">
      <Stack gap={6}>
        <Group gap="xs" wrap="nowrap">
          <Select
            aria-label="Custom field"
            style={{ flex: 1 }}
            allowDeselect={false}
            data={fields.map((f) => ({ value: String(f.id), label: f.name }))}
            value={String(field.id)}
            onChange={changeField}
          />
          <Select
            aria-label={`${field.name} condition`}
            w={130}
            allowDeselect={false}
            data={ops.map((op) => ({ value: op, label: opLabel(op, field.field_type) }))}
            value={condition.op}
            onChange={changeOp}
          />
          <ActionIcon variant="subtle" color="gray" aria-label={`Remove the ${field.name} condition`} onClick={onRemove}>
            <IconTrash size={16} />
          </ActionIcon>
        </Group>
        <ConditionValue field={field} condition={condition} genderOptions={genderOptions} error={problem} onChange={(value) => onChange({ ...condition, value })} />
        {field.field_type === 'gender' && genderOptions.length === 0 && (
          <Text size="xs" c="dimmed">
            This company has no gender options yet.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
