import { PageHeading } from '../components/common.component.tsx';

/** Remediation dashboards: the coordinator's across every shared inventory, the operator's for its own (issue 10). */
export function DashboardPage() {
  return <PageHeading>Dashboard</PageHeading>;
}
