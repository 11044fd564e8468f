import { Alert, Button, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, type FieldProblem } from '../api/client';
import type { CustomField, CustomFieldValue, Profile } from '../api/types';
import { formatPhoneNumber } from '../profiles/phoneDisplay';
import { FIELD_LABELS, fieldLabel } from './fieldLabels';
import { useUpdateProfile, type ProfileChanges } from './useProfile';

const STANDARD_FIELDS = ['phone_number', 'first_name', 'last_name', 'email', 'street1', 'street2', 'city', 'state', 'postal_code', 'country'] as const;
type StandardField = (typeof STANDARD_FIELDS)[number];

/** What an input shows for a stored custom value (the API accepts these forms back). */
function customInputValue(value: CustomFieldValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

function initialValues(profile: Profile, homeCountry: string) {
  const standard = Object.fromEntries(STANDARD_FIELDS.map((f) => [f, profile[f] ?? ''])) as Record<StandardField, string>;
  if (profile.phone_number) standard.phone_number = formatPhoneNumber(profile.phone_number, homeCountry);
  const custom = Object.fromEntries(Object.entries(profile.custom_fields).map(([name, value]) => [name, customInputValue(value)]));
  return { standard, custom };
}

/** Only what the person changed, with emptied fields cleared (the API takes null as "clear"). */
function changesBetween(before: ReturnType<typeof initialValues>, after: ReturnType<typeof initialValues>): ProfileChanges {
  const changes: ProfileChanges = {};
  for (const field of STANDARD_FIELDS) {
    const value = after.standard[field].trim();
    if (value !== before.standard[field].trim()) changes[field] = value === '' && field !== 'phone_number' ? null : value;
  }
  const custom: Record<string, CustomFieldValue> = {};
  for (const [name, raw] of Object.entries(after.custom)) {
    if (raw.trim() !== (before.custom[name] ?? '').trim()) custom[name] = raw.trim() === '' ? null : raw.trim();
  }
  if (Object.keys(custom).length) changes.custom_fields = custom;
  return changes;
}

interface CustomFieldInputProps {
  field: CustomField;
  value: string;
  error?: string;
  genderOptions: readonly string[];
  onChange: (value: string) => void;
}

function CustomFieldInput({ field, value, error, genderOptions, onChange }: CustomFieldInputProps) {
  if (field.field_type === 'yes_no' || field.field_type === 'gender') {
    const options = field.field_type === 'yes_no' ? [{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }] : genderOptions.map((o) => ({ value: o, label: o }));
    // Keep a stored value the options no longer list, so saving does not silently drop it.
    if (value && !options.some((o) => o.value === value)) options.push({ value, label: value });
    return <Select label={field.name} data={options} value={value || null} onChange={(v) => onChange(v ?? '')} clearable error={error} />;
  }
  const hint = field.field_type === 'date' ? 'YYYY-MM-DD or M/D/YYYY' : field.field_type === 'time_of_day' ? 'HH:MM, 7pm or 7:30 PM' : undefined;
  return <TextInput label={field.name} placeholder={hint} value={value} onChange={(e) => onChange(e.currentTarget.value)} error={error} />;
}

interface ProfileEditFormProps {
  profile: Profile;
  fields: readonly CustomField[];
  genderOptions: readonly string[];
  homeCountry: string;
  onDone: (saved: boolean) => void;
}

/** Edits a profile's standard and custom fields; the server's field-level errors appear beside their inputs. */
export function ProfileEditForm({ profile, fields, genderOptions, homeCountry, onDone }: ProfileEditFormProps) {
  const [initial] = useState(() => initialValues(profile, homeCountry));
  const [values, setValues] = useState(initial);
  const update = useUpdateProfile(profile.id);
  const problems: FieldProblem[] = update.error instanceof ApiError ? update.error.fieldProblems : [];
  const errorFor = (path: string) => problems.filter((p) => p.field === path).map((p) => p.message).join('; ') || undefined;
  const knownPaths = new Set<string>([...STANDARD_FIELDS, ...fields.map((f) => `custom_fields.${f.name}`)]);
  const otherProblems = problems.filter((p) => !knownPaths.has(p.field));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const changes = changesBetween(initial, values);
    if (Object.keys(changes).length === 0) return onDone(false);
    update.mutate(changes, { onSuccess: () => onDone(true) });
  };

  const standardInput = (field: StandardField) => (
    <TextInput
      key={field}
      label={FIELD_LABELS[field]}
      value={values.standard[field]}
      onChange={(e) => {
        const value = e.currentTarget.value;
        setValues((v) => ({ ...v, standard: { ...v.standard, [field]: value } }));
      }}
      error={errorFor(field)}
    />
  );

  return (
    <form onSubmit={submit} aria-label="Edit profile" noValidate>
      <Stack>
        {update.error && (
          <Alert color="red" title="Not saved">
            {problems.length ? 'Check the fields marked below.' : update.error.message}
            {otherProblems.map((p) => (
              <Text key={p.field} size="sm">
                {fieldLabel(p.field)}: {p.message}
              </Text>
            ))}
          </Alert>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>{STANDARD_FIELDS.map(standardInput)}</SimpleGrid>
        {fields.length > 0 && (
          <>
            <Text fw={600}>Custom fields</Text>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              {fields.map((field) => (
                <CustomFieldInput
                  key={field.id}
                  field={field}
                  genderOptions={genderOptions}
                  value={values.custom[field.name] ?? ''}
                  error={errorFor(`custom_fields.${field.name}`)}
                  onChange={(value) => setValues((v) => ({ ...v, custom: { ...v.custom, [field.name]: value } }))}
                />
              ))}
            </SimpleGrid>
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={() => onDone(false)} disabled={update.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={update.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
