import { Breadcrumbs, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useCompanySettings } from '../api/queries';
import { useSession } from '../session/session';
import { BlacklistSection } from './BlacklistSection';
import { ManualOptOutSection } from './ManualOptOutSection';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={title}>
      <Title order={4} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** Home › Opt-outs: Manual Opt-Out of numbers and the company blacklist. */
export function OptOutsPage() {
  const role = useSession().data?.role;
  const company = useCompanySettings();
  return (
    <Stack gap="md">
      <Breadcrumbs>
        <Text size="sm" c="dimmed">
          Home
        </Text>
        <Text size="sm">Opt-outs</Text>
      </Breadcrumbs>
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
