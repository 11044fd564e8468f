import { IconUserOff } from '@tabler/icons-react';
import { ConfirmButton } from '../ui/ConfirmButton';
import { useOptOutProfile } from './useMessaging';

interface OptOutButtonProps {
  profileId: number;
  /** Where staff opt the person out; the profile's description says it (SPEC §3). */
  reason: 'Opt-out from Inbox' | 'Opt-out from profile';
  label?: string;
  size?: 'xs' | 'sm';
  /** Also clear the conversation's possible opt-out flags (confirming one from the Inbox). */
  settlePossibleOptOuts?: boolean;
}

/** Opts a profile out of everything after a confirmation. */
export function OptOutButton({ profileId, reason, label = 'Opt out', size = 'sm', settlePossibleOptOuts = false }: OptOutButtonProps) {
  const optOut = useOptOutProfile();
  return (
    <ConfirmButton
      label={label}
      title="Opt this person out?"
      text={`They are opted out of every campaign at once and Roster will not text them again. The profile will read “Undeliverable - ${reason}”. Staff can opt them in again later.`}
      confirm="Opt out"
      color="red"
      size={size}
      icon={<IconUserOff size={16} />}
      pending={optOut.isPending}
      error={optOut.error}
      onConfirm={(close) => optOut.mutate({ profileId, reason, settlePossibleOptOuts }, { onSuccess: close })}
    />
  );
}
