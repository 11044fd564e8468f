import { Alert, Anchor, Breadcrumbs, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { IconPencil } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';
import { ApiError } from '../api/client';
import { useCompanySettings, useCustomFields } from '../api/queries';
import type { CustomField, Profile } from '../api/types';
import { formatDateTime, fullName } from '../profiles/format';
import { formatPhoneNumber } from '../profiles/phoneDisplay';
import type { ProfileLinkState } from '../profiles/ProfilesTable';
import { SubscriptionStatusLabel } from '../profiles/SubscriptionStatusLabel';
import { useSession } from '../session/session';
import { Section } from '../ui/Section';
import { AuditTrail } from './AuditTrail';
import { DeleteProfileButton } from './DeleteProfileButton';
import { Fact, FactGrid } from './ProfileFacts';
import { FIELD_LABELS, showFieldValue } from './fieldLabels';
import { MessageHistory } from './MessageHistory';
import { ProfileOptOutActions } from './ProfileOptOutActions';
import { ProfileSubscriptions } from './ProfileSubscriptions';
import { ProfileEditForm } from './ProfileEditForm';
import { useProfile } from './useProfile';

const CONTACT_FIELDS = ['first_name', 'last_name', 'email', 'street1', 'street2', 'city', 'state', 'postal_code', 'country'] as const;
const LOCATION_FIELDS = [
  'congressional_district', 'state_upper_district', 'state_lower_district', 'latitude', 'longitude', 'precision',
  'geocoded_city', 'geocoded_state', 'geocoded_postal_code', 'geocoded_country', 'carrier_name',
] as const;

function ProfileFields({ profile, fields, homeCountry }: { profile: Profile; fields: readonly CustomField[]; homeCountry: string }) {
  const types = new Map(fields.map((f) => [f.name, f.field_type]));
  return (
    <Stack gap="lg">
      <FactGrid>
        <Fact label="Phone number">{profile.phone_number ? formatPhoneNumber(profile.phone_number, homeCountry) : null}</Fact>
        {CONTACT_FIELDS.map((field) => (
          <Fact key={field} label={FIELD_LABELS[field]!}>
            {profile[field]}
          </Fact>
        ))}
      </FactGrid>
      <div>
        <Text fw={600} mb="xs">
          Custom fields
        </Text>
        {Object.keys(profile.custom_fields).length === 0 ? (
          <Text size="sm" c="dimmed">
            This company has no custom fields.
          </Text>
        ) : (
          <FactGrid>
            {Object.entries(profile.custom_fields).map(([name, value]) => (
              <Fact key={name} label={name}>
                {showFieldValue(value, types.get(name))}
              </Fact>
            ))}
          </FactGrid>
        )}
      </div>
    </Stack>
  );
}

function FirstSeen({ profile }: { profile: Profile }) {
  return (
    <FactGrid>
      <Fact label="First seen date">{formatDateTime(profile.created_at)}</Fact>
      <Fact label="First seen type">{profile.source_type}</Fact>
      <Fact label="Source name">{profile.source_name}</Fact>
      <Fact label="Opted out at">{profile.opted_out_at ? formatDateTime(profile.opted_out_at) : null}</Fact>
      <Fact label="Opted out source">{profile.opted_out_source}</Fact>
      <Fact label="Updated at">{formatDateTime(profile.updated_at)}</Fact>
    </FactGrid>
  );
}

function LocationFacts({ profile }: { profile: Profile }) {
  return (
    <FactGrid>
      {LOCATION_FIELDS.map((field) => (
        <Fact key={field} label={FIELD_LABELS[field]!}>
          {profile[field] === null ? null : String(profile[field])}
        </Fact>
      ))}
      <Fact label="Split district">{profile.split_district === null ? null : profile.split_district ? 'Yes' : 'No'}</Fact>
    </FactGrid>
  );
}

/** One profile: every field, custom fields, subscriptions, messages, first-seen data and audit trail; edit, opt out, chat, and delete for admins. */
export function ProfilePage() {
  const id = Number(useParams().id);
  const location = useLocation();
  const backTo = `/profiles${(location.state as ProfileLinkState | null)?.listSearch ?? ''}`;
  const profile = useProfileOrNull(id);
  const customFields = useCustomFields();
  const company = useCompanySettings();
  const session = useSession();
  const [editing, setEditing] = useState(false);
  const [saved, setSaved] = useState(false);
  const homeCountry = company.data?.default_country ?? 'US';
  const role = session.data?.role;

  const breadcrumbs = (current: string) => (
    <Breadcrumbs>
      <Text size="sm" c="dimmed">
        Home
      </Text>
      <Anchor component={Link} to={backTo} size="sm">
        Profiles
      </Anchor>
      <Text size="sm">{current}</Text>
    </Breadcrumbs>
  );

  if (profile.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading the profile" />
      </Center>
    );
  }
  if (profile.error || !profile.data) {
    const missing = profile.error instanceof ApiError && profile.error.status === 404;
    return (
      <Stack>
        {breadcrumbs('Not found')}
        <Alert color={missing ? 'yellow' : 'red'} title={missing ? 'No such profile' : 'Could not load the profile'}>
          {missing ? 'It may have been deleted.' : profile.error?.message}
        </Alert>
      </Stack>
    );
  }

  const p = profile.data;
  const phone = p.phone_number ? formatPhoneNumber(p.phone_number, homeCountry) : 'No valid number';
  return (
    <Stack gap="md">
      {breadcrumbs(phone)}
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Title order={2}>{phone}</Title>
          <Group gap="sm">
            {fullName(p) && <Text size="lg">{fullName(p)}</Text>}
            <SubscriptionStatusLabel status={p.status} description={p.description} />
          </Group>
        </Stack>
        <Group gap="sm">
          <ProfileOptOutActions profile={p} canEdit={role !== undefined && role !== 'viewer'} />
          {!editing && role !== 'viewer' && (
            <Button
              leftSection={<IconPencil size={16} />}
              onClick={() => {
                setSaved(false);
                setEditing(true);
              }}
            >
              Edit
            </Button>
          )}
          {role === 'admin' && <DeleteProfileButton profileId={p.id} backTo={backTo} />}
        </Group>
      </Group>

      {saved && (
        <Alert color="teal" title="Saved" withCloseButton onClose={() => setSaved(false)}>
          The profile was updated.
        </Alert>
      )}

      <Section title="Profile">
        {editing ? (
          <ProfileEditForm
            profile={p}
            fields={customFields.data ?? []}
            genderOptions={company.data?.gender_options ?? []}
            homeCountry={homeCountry}
            onDone={(didSave) => {
              setEditing(false);
              setSaved(didSave);
            }}
          />
        ) : (
          <ProfileFields profile={p} fields={customFields.data ?? []} homeCountry={homeCountry} />
        )}
      </Section>
      <Section title="Subscriptions">
        <ProfileSubscriptions profile={p} canEdit={role !== undefined && role !== 'viewer'} />
      </Section>
      <Section title="Messages">
        <MessageHistory profileId={p.id} />
      </Section>
      <Section title="First seen">
        <FirstSeen profile={p} />
      </Section>
      <Section title="Location and districts">
        <LocationFacts profile={p} />
      </Section>
      <Section title="Audit trail">
        <AuditTrail profileId={p.id} />
      </Section>
    </Stack>
  );
}

function useProfileOrNull(id: number) {
  return useProfile(Number.isSafeInteger(id) && id > 0 ? id : 0);
}
