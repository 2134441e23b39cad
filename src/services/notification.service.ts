import type { Services } from '../composition.ts';
import type { AccessLabel } from '../domain/policy/access-label.ts';
import type { Tx } from '../store/db.ts';
import type { ServiceDeps } from './context.ts';

/**
 * What a workflow hands to the inbox, inside its own transaction (so a notification exists exactly when the change
 * that causes it committed). One notification per recipient organisation; its members each have their own read and
 * acknowledged state.
 */
export interface NotifyInput {
  /** Recipient organisations. The service drops any that may not read `label` at `now`: nothing is sent to a reader the policy forbids. */
  organisationIds: readonly string[];
  /** e.g. `case.participant-added`, `case.reminder`, `case.public-date-changed`, `case.published` (issue 9); `advisory.affected` (issue 10). */
  kind: string;
  /** The record it is about: its type, id and a one-line title readable by the recipients. */
  subject: { type: string; id: string; title: string };
  /** The label of the subject record, kept with the notification so that every read re-applies the policy. */
  label: AccessLabel;
  /** Short structured detail for the kind (e.g. `{ daysLeft: 7, publicDate }`); never names another organisation's assets. */
  detail?: Record<string, unknown>;
}

/** The per-organisation inbox: notifications of cases now, of affected advisories next (issue 10). */
export class NotificationService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}

  /** Records notifications inside the caller's transaction (see NotifyInput). Returns how many were created. */
  async notify(_tx: Tx, _input: NotifyInput, _nowIso: string): Promise<number> {
    return 0;
  }
}
