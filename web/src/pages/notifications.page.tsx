import { PageHeading } from '../components/common.component.tsx';

/** The notification inbox (issue 9). */
export function NotificationsPage() {
  return <PageHeading>Notifications</PageHeading>;
}
