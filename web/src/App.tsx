import { Alert, Anchor, Stack, Title } from '@mantine/core';
import { Link, Navigate, Route, Routes } from 'react-router';
import { CampaignPage } from './campaigns/CampaignPage';
import { CampaignsPage } from './campaigns/CampaignsPage';
import { ExportsPage } from './exports/ExportsPage';
import { GroupPage } from './groups/GroupPage';
import { GroupsPage } from './groups/GroupsPage';
import { AppLayout } from './layout/AppLayout';
import { ChatPage } from './messaging/ChatPage';
import { InboxPage } from './messaging/InboxPage';
import { OptOutsPage } from './opt-outs/OptOutsPage';
import { ProfilePage } from './profile/ProfilePage';
import { ProfilesPage } from './profiles/ProfilesPage';
import { LoginPage } from './session/LoginPage';
import { RequireSession } from './session/RequireSession';
import { UploadPage } from './uploads/UploadPage';
import { UploadsPage } from './uploads/UploadsPage';

function NotFoundPage() {
  return (
    <Stack>
      <Title order={2}>Page not found</Title>
      <Alert color="yellow">
        There is nothing here. Go to{' '}
        <Anchor component={Link} to="/profiles">
          Profiles
        </Anchor>
        .
      </Alert>
    </Stack>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route
        element={
          <RequireSession>
            <AppLayout />
          </RequireSession>
        }
      >
        <Route index element={<Navigate to="/profiles" replace />} />
        <Route path="profiles" element={<ProfilesPage />} />
        <Route path="profiles/:id" element={<ProfilePage />} />
        <Route path="reports/exports" element={<ExportsPage />} />
        <Route path="profiles/:id/chat" element={<ChatPage />} />
        <Route path="campaigns" element={<CampaignsPage />} />
        <Route path="campaigns/:id" element={<CampaignPage />} />
        <Route path="inbox" element={<InboxPage />} />
        <Route path="opt-outs" element={<OptOutsPage />} />
        <Route path="groups" element={<GroupsPage />} />
        <Route path="groups/:id" element={<GroupPage />} />
        <Route path="uploads" element={<UploadsPage />} />
        <Route path="uploads/:id" element={<UploadPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
