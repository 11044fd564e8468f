import { Alert, Center, Loader, Paper, Stack, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

interface ListTableProps {
  /** What the list holds, as the table's accessible name ("Exports"); lower case in "Loading exports" and its error. */
  label: string;
  /** The list's query: its error, the loader until it has data, then the table (with `children` as its rows). */
  query: { data?: unknown; error: Error | null; isPending: boolean; isPlaceholderData?: boolean };
  headings: ReactNode[];
  children: ReactNode;
  /** Shown under the headings instead of rows when there are none (null: there are some). */
  empty: ReactNode;
  /** Under the table, e.g. its pager. */
  footer?: ReactNode;
  highlightOnHover?: boolean;
}

/**
 * A list page's table: what failed to load, a loader until the first rows arrive, then the rows in a bordered table
 * under their headings, a line when there are none, and what goes under it (a pager). Every list page of the app
 * (campaigns, conversations, exports, groups, uploads) shows its list this way.
 */
export function ListTable({ label, query, headings, children, empty, footer, highlightOnHover }: ListTableProps) {
  const { error, isPending } = query;
  const loaded = query.data !== undefined;
  const what = label.toLowerCase();
  return (
    <>
      {error && (
        <Alert color="red" title={`Could not load ${what}`}>
          {error.message}
        </Alert>
      )}
      {isPending && !loaded && (
        <Center py="xl">
          <Loader aria-label={`Loading ${what}`} />
        </Center>
      )}
      {loaded && (
        <Paper withBorder radius="md" p="sm">
          <Stack gap="sm">
            <Table aria-label={label} verticalSpacing="sm" highlightOnHover={highlightOnHover} aria-busy={query.isPlaceholderData || undefined}>
              <Table.Thead>
                <Table.Tr>
                  {headings.map((heading, i) => (
                    <Table.Th key={i}>{heading}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>{children}</Table.Tbody>
            </Table>
            {empty !== null && (
              <Text ta="center" c="dimmed" py="lg">
                {empty}
              </Text>
            )}
            {footer}
          </Stack>
        </Paper>
      )}
    </>
  );
}
