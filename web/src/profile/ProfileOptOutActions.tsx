import { Button } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconMessage, IconUserCheck } from '@tabler/icons-react';
import { Link } from 'react-router';
import { optOutLiftedBy } from '../../../src/features/profiles/profile-rules';
import { api } from '../api/client';
import type { Profile } from '../api/types';
import { OptOutButton } from '../messaging/OptOutButton';
import { ConfirmButton } from '../ui/ConfirmButton';

function OptInAgainButton({ profile }: { profile: Profile }) {
  const queryClient = useQueryClient();
  const optIn = useMutation({
    mutationFn: () => api<Profile>('POST', `/profiles/${profile.id}/opt-in-again`),
    onSuccess: async (updated) => {
      queryClient.setQueryData(['profile', profile.id], updated);
      await Promise.all(['profiles', 'messages', 'inbox', 'campaigns', 'audit'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
    },
  });
  return (
    <ConfirmButton
      label="Opt in again"
      title="Opt this person in again?"
      text={`This undoes “${profile.opted_out_source}” and brings back the subscriptions it ended. Only do this if the person asked for it.`}
      confirm="Opt in again"
      color="teal"
      icon={<IconUserCheck size={16} />}
      pending={optIn.isPending}
      error={optIn.error}
      onConfirm={(close) => optIn.mutate(undefined, { onSuccess: close })}
    />
  );
}

/**
 * Chat, Opt out (Opt-out from profile) and, for an opt-out staff made, Opt in again. A STOP, a bounce or the
 * blacklist cannot be undone here (SPEC §3), so the button is not offered for them; a blacklisted profile links to
 * the blacklist, where taking the number off lifts it.
 */
export function ProfileOptOutActions({ profile, canEdit }: { profile: Profile; canEdit: boolean }) {
  const optedOut = profile.status === 'Opted Out';
  return (
    <>
      <Button variant="default" component={Link} to={`/profiles/${profile.id}/chat`} leftSection={<IconMessage size={16} />}>
        Chat
      </Button>
      {canEdit && !optedOut && profile.status !== 'Invalid Profile Data' && <OptOutButton profileId={profile.id} reason="Opt-out from profile" />}
      {canEdit && optedOut && optOutLiftedBy(profile.opted_out_source) === 'staff' && <OptInAgainButton profile={profile} />}
      {optedOut && optOutLiftedBy(profile.opted_out_source) === 'blacklist' && (
        <Button variant="subtle" component={Link} to="/opt-outs">
          Blacklist
        </Button>
      )}
    </>
  );
}
