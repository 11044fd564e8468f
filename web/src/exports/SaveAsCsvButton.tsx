import { Button, Tooltip } from '@mantine/core';
import { IconFileExport } from '@tabler/icons-react';
import { useNavigate } from 'react-router';
import { listStateToParams, type ProfileListState } from '../profiles/listState';
import { useSession } from '../session/session';
import { type ExportRequest, useCreateExport } from './useExports';

/** The export request for the table as it is: its search, filters and sort (the URL's own parameters), every page. */
export function exportRequestFor(state: ProfileListState): ExportRequest {
  const params = listStateToParams({ ...state, page: 1 });
  const request: ExportRequest = {};
  for (const key of ['search', 'subscription_status', 'first_seen_type', 'undeliverable_reason', 'order'] as const) {
    const value = params.get(key);
    if (value) request[key] = value;
  }
  const conditions = params.getAll('custom_field');
  if (conditions.length) request.custom_field = conditions;
  return request;
}

/** Save as CSV (SPEC §6): exports exactly the rows the table shows, then opens Reports › Exports to follow it. */
export function SaveAsCsvButton({ state }: { state: ProfileListState }) {
  const session = useSession();
  const create = useCreateExport();
  const navigate = useNavigate();
  if (session.data?.role === 'viewer') {
    return (
      <Tooltip label="Exports need the editor role">
        <Button variant="default" leftSection={<IconFileExport size={16} />} disabled>
          Save as CSV
        </Button>
      </Tooltip>
    );
  }
  return (
    <Button
      variant="default"
      leftSection={<IconFileExport size={16} />}
      loading={create.isPending}
      onClick={() =>
        create.mutate(exportRequestFor(state), {
          onSuccess: (created) => void navigate('/reports/exports', { state: { createdExportId: created.id } }),
        })
      }
    >
      Save as CSV
    </Button>
  );
}
