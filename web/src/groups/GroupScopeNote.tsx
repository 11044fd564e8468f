import { Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';
import { useGroup } from './useGroups';

/** Above the Profiles table when a link scoped it to a group (`group_id` in the URL): which group, and a way back to everyone. */
export function GroupScopeNote({ groupId, onClear }: { groupId: number; onClear: () => void }) {
  const group = useGroup(groupId);
  return (
    <Text size="sm" c="dimmed" data-testid="group-scope">
      Members of{' '}
      <Anchor component={Link} to={`/groups/${groupId}`} size="sm">
        {group.data?.name ?? (group.error ? `group #${groupId} (${group.error.message})` : `group #${groupId}`)}
      </Anchor>{' '}
      ·{' '}
      <Anchor component="button" size="sm" onClick={onClear}>
        show every profile
      </Anchor>
    </Text>
  );
}
