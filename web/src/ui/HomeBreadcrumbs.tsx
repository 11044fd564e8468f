import { Anchor, Breadcrumbs, Text } from '@mantine/core';
import { Link } from 'react-router';

export interface Crumb {
  label: string;
  /** Where the crumb leads; the last one (the page itself) has none. */
  to?: string;
}

/** "Home › Campaigns › Heat Watch": the trail above a page. */
export function HomeBreadcrumbs({ trail }: { trail: Crumb[] }) {
  return (
    <Breadcrumbs>
      <Text size="sm" c="dimmed">
        Home
      </Text>
      {trail.map((crumb) =>
        crumb.to ? (
          <Anchor key={crumb.label} component={Link} to={crumb.to} size="sm">
            {crumb.label}
          </Anchor>
        ) : (
          <Text key={crumb.label} size="sm">
            {crumb.label}
          </Text>
        ),
      )}
    </Breadcrumbs>
  );
}
