import { Alert, Badge, Button, Group, Loader, Stack, Table, Text } from '@mantine/core';
import { IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { OptInPathForm } from './OptInPathForm';
import type { Campaign, OptInPath } from './types';
import { useDeleteOptInPath, useOptInPaths } from './useCampaigns';

/** A campaign's opt-in paths with their keywords; add, edit and delete them. */
export function OptInPaths({ campaign, canEdit }: { campaign: Campaign; canEdit: boolean }) {
  const paths = useOptInPaths(campaign.id);
  const remove = useDeleteOptInPath();
  const [editing, setEditing] = useState<OptInPath | 'new' | null>(null);

  if (paths.isPending) return <Loader size="sm" aria-label="Loading opt-in paths" />;
  if (paths.error) return <Alert color="red">{paths.error.message}</Alert>;
  return (
    <Stack gap="sm">
      {remove.error && (
        <Alert color="red" withCloseButton onClose={() => remove.reset()}>
          {remove.error.message}
        </Alert>
      )}
      {paths.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No opt-in paths. Add one with a keyword so people can join by texting it.
        </Text>
      ) : (
        <Table aria-label="Opt-in paths" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Keywords</Table.Th>
              <Table.Th>Double opt-in</Table.Th>
              <Table.Th>Welcome message</Table.Th>
              {canEdit && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {paths.data.map((path) => (
              <Table.Tr key={path.id}>
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {path.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {path.keywords.map((k) => (
                      <Badge key={k} variant="outline" tt="none">
                        {k}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{path.double_opt_in ? 'Yes (reply YES)' : 'No'}</Text>
                </Table.Td>
                <Table.Td maw={320}>
                  <Text size="sm" c={path.welcome_message ? undefined : 'dimmed'}>
                    {path.welcome_message ?? 'None'}
                  </Text>
                </Table.Td>
                {canEdit && (
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button variant="subtle" size="xs" leftSection={<IconPencil size={14} />} onClick={() => setEditing(path)} aria-label={`Edit ${path.name}`}>
                        Edit
                      </Button>
                      <Button
                        variant="subtle"
                        color="red"
                        size="xs"
                        leftSection={<IconTrash size={14} />}
                        loading={remove.isPending && remove.variables === path.id}
                        onClick={() => remove.mutate(path.id)}
                        aria-label={`Delete ${path.name}`}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {canEdit && campaign.status === 'active' && (
        <Button variant="light" w="fit-content" leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
          Add opt-in path
        </Button>
      )}
      <OptInPathForm
        campaignId={campaign.id}
        opened={editing !== null}
        onClose={() => setEditing(null)}
        path={editing === 'new' || editing === null ? undefined : editing}
      />
    </Stack>
  );
}
