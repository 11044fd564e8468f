import { Stack, Title } from '@mantine/core';
import { useCompanySettings } from '../api/queries';
import { useSession } from '../session/session';
import { HomeBreadcrumbs } from '../ui/HomeBreadcrumbs';
import { Section } from '../ui/Section';
import { BlacklistSection } from './BlacklistSection';
import { ManualOptOutSection } from './ManualOptOutSection';

/** Home › Opt-outs: Manual Opt-Out of numbers and the company blacklist. */
export function OptOutsPage() {
  const role = useSession().data?.role;
  const company = useCompanySettings();
  return (
    <Stack gap="md">
      <HomeBreadcrumbs trail={[{ label: 'Opt-outs' }]} />
      <Title order={2}>Opt-outs</Title>
      <Section title="Manual Opt-Out">
        <ManualOptOutSection canEdit={role !== undefined && role !== 'viewer'} />
      </Section>
      <Section title="Blacklist">
        <BlacklistSection isAdmin={role === 'admin'} homeCountry={company.data?.default_country ?? 'US'} />
      </Section>
    </Stack>
  );
}
