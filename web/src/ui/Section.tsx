import { Paper, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A titled, bordered part of a page; its title names the region for assistive technology (and browser tests). */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={title}>
      <Title order={4} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}
