import { AppShell, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconFileExport, IconHome, IconInbox, IconLogout, IconReport, IconSpeakerphone, IconUpload, IconUserOff, IconUsers, IconUsersGroup } from '@tabler/icons-react';
import { Link, Outlet, useLocation } from 'react-router';
import { PhoneSimulatorButton } from '../messaging/PhoneSimulator';
import { useLogout, useSession } from '../session/session';

/**
 * The left pane's sections, holding the screens that exist today; more join this list as they are
 * built, rather than appearing as links that lead nowhere.
 */
const NAVIGATION = [
  {
    label: 'Home',
    icon: IconHome,
    pages: [
      { label: 'Profiles', to: '/profiles', icon: IconUsers },
      { label: 'Campaigns', to: '/campaigns', icon: IconSpeakerphone },
      { label: 'Inbox', to: '/inbox', icon: IconInbox },
      { label: 'Opt-outs', to: '/opt-outs', icon: IconUserOff },
      { label: 'Groups', to: '/groups', icon: IconUsersGroup },
      { label: 'Upload', to: '/uploads', icon: IconUpload },
    ],
  },
  {
    label: 'Reports',
    icon: IconReport,
    pages: [{ label: 'Exports', to: '/reports/exports', icon: IconFileExport }],
  },
] as const;

function LeftPane() {
  const { pathname } = useLocation();
  return (
    <nav aria-label="Main">
      {NAVIGATION.map((section) => (
        <NavLink key={section.label} label={section.label} leftSection={<section.icon size={18} />} defaultOpened childrenOffset={28}>
          {section.pages.map((page) => (
            <NavLink
              key={page.to}
              component={Link}
              to={page.to}
              label={page.label}
              leftSection={<page.icon size={16} />}
              active={pathname === page.to || pathname.startsWith(`${page.to}/`)}
            />
          ))}
        </NavLink>
      ))}
    </nav>
  );
}

function AccountMenu() {
  const session = useSession();
  const logout = useLogout();
  return (
    <Group gap="sm">
      <Text size="sm" c="dimmed" visibleFrom="sm">
        {session.data?.actor.label} · {session.data?.company.name}
      </Text>
      <Button variant="default" size="xs" leftSection={<IconLogout size={14} />} onClick={() => logout.mutate()} loading={logout.isPending}>
        Log out
      </Button>
    </Group>
  );
}

/** The frame of every logged-in page: header, left pane and the page itself. */
export function AppLayout() {
  const [navOpened, { toggle }] = useDisclosure();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={navOpened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Title order={3}>Roster</Title>
          </Group>
          <Group gap="sm">
            <PhoneSimulatorButton />
            <AccountMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <LeftPane />
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
