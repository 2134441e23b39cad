import { PageHeading } from '../components/common.component.tsx';
import { CaseThread } from '../components/case-thread.component.tsx';

/** Case (issue 9). */
export function CaseDetailPage({ caseId }: { caseId: string }) {
  return (
    <>
      <PageHeading>Case</PageHeading>
      <CaseThread caseId={caseId} />
    </>
  );
}
