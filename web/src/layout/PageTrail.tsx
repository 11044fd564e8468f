import { Anchor, Breadcrumbs, Text } from '@mantine/core';
import { Link } from 'react-router';

export interface TrailStep {
  label: string;
  /** A step with an address is a link back to it; the last step (this page) has none. */
  to?: string;
}

/** The breadcrumb trail above a page's title: Home › … › this page. */
export function PageTrail({ steps }: { steps: readonly TrailStep[] }) {
  return (
    <Breadcrumbs>
      <Text size="sm" c="dimmed">
        Home
      </Text>
      {steps.map((step) =>
        step.to ? (
          <Anchor key={step.label} component={Link} to={step.to} size="sm">
            {step.label}
          </Anchor>
        ) : (
          <Text key={step.label} size="sm">
            {step.label}
          </Text>
        ),
      )}
    </Breadcrumbs>
  );
}
