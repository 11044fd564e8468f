import { Badge, HoverCard, List, Text } from '@mantine/core';
import { IconFilter } from '@tabler/icons-react';

/** How many filters are on; hovering lists them (the seed's filter indicator). */
export function FilterIndicator({ descriptions }: { descriptions: string[] }) {
  const count = descriptions.length;
  const badge = (
    <Badge variant={count ? 'filled' : 'outline'} color={count ? 'blue' : 'gray'} size="lg" leftSection={<IconFilter size={12} />} style={{ textTransform: 'none' }}>
      {count === 0 ? 'No filters' : count === 1 ? '1 filter' : `${count} filters`}
    </Badge>
  );
  if (count === 0) return badge;
  return (
    <HoverCard width={320} shadow="md" position="bottom-start" openDelay={100}>
      <HoverCard.Target>{badge}</HoverCard.Target>
      <HoverCard.Dropdown>
        <Text size="sm" fw={600} mb={4}>
          Filters on
        </Text>
        <List size="sm" aria-label="Filters on">
          {descriptions.map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      </HoverCard.Dropdown>
    </HoverCard>
  );
}
