import { Group, NumberInput, Pagination, Select, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { formatCount } from './format';
import { PAGE_SIZES } from './listState';

interface ProfilesPagerProps {
  page: number;
  perPage: number;
  total: number;
  onPageChange: (page: number) => void;
  onPerPageChange: (perPage: number) => void;
}

/** The seed's page navigation: rows per page, previous / next, and a page field that jumps on Enter. */
export function ProfilesPager({ page, perPage, total, onPageChange, onPerPageChange }: ProfilesPagerProps) {
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const [pageField, setPageField] = useState<string | number>(page);
  // Follow the URL when the page changes some other way (Next, Back button).
  useEffect(() => setPageField(page), [page]);

  const jump = () => {
    const wanted = Math.trunc(Number(pageField));
    if (!Number.isFinite(wanted) || wanted < 1) return setPageField(page);
    const target = Math.min(wanted, lastPage);
    setPageField(target);
    if (target !== page) onPageChange(target);
  };

  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);

  return (
    <Group justify="space-between" wrap="wrap" gap="sm">
      <Text size="sm" c="dimmed">
        {total === 0 ? 'No profiles' : `Showing ${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`}
      </Text>
      <Group gap="md" wrap="wrap">
        <Group gap={6} wrap="nowrap">
          <Text size="sm" component="label" htmlFor="rows-per-page">
            Rows per page
          </Text>
          <Select
            id="rows-per-page"
            w={84}
            size="xs"
            allowDeselect={false}
            data={PAGE_SIZES.map(String)}
            value={String(perPage)}
            onChange={(value) => value && onPerPageChange(Number(value))}
          />
        </Group>
        <Group gap={6} wrap="nowrap">
          <Text size="sm" component="label" htmlFor="page-field">
            Page
          </Text>
          <NumberInput
            id="page-field"
            w={80}
            size="xs"
            min={1}
            max={lastPage}
            allowDecimal={false}
            allowNegative={false}
            hideControls
            value={pageField}
            onChange={setPageField}
            onKeyDown={(e) => {
              if (e.key === 'Enter') jump();
            }}
            onBlur={() => setPageField(page)}
          />
          <Text size="sm" c="dimmed">
            of {formatCount(lastPage)}
          </Text>
        </Group>
        <Pagination
          size="sm"
          total={lastPage}
          value={Math.min(page, lastPage)}
          onChange={onPageChange}
          siblings={1}
          getControlProps={(control) => (control === 'previous' ? { 'aria-label': 'Previous page' } : control === 'next' ? { 'aria-label': 'Next page' } : {})}
        />
      </Group>
    </Group>
  );
}
