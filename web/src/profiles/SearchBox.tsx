import { Button, Group, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';

/** The one search box: names, email and phone numbers in any written form. Searches on Enter or Search. */
export function SearchBox({ search, onSearch }: { search: string; onSearch: (search: string) => void }) {
  const [text, setText] = useState(search);
  // Follow the URL when it changes another way (Back button, a link).
  useEffect(() => setText(search), [search]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch(text.trim());
  };
  return (
    <form onSubmit={submit} role="search">
      <Group gap={6} wrap="nowrap">
        <TextInput
          aria-label="Search profiles"
          placeholder="Name, email or phone number"
          leftSection={<IconSearch size={14} />}
          w={280}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
        />
        <Button type="submit" variant="default">
          Search
        </Button>
      </Group>
    </form>
  );
}
