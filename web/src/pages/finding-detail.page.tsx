import { PageHeading } from '../components/common.component.tsx';

/** Finding (issue 9). */
export function FindingDetailPage({ findingId }: { findingId: string }) {
  return <PageHeading>Finding</PageHeading>;
}
