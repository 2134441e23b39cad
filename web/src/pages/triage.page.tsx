import { PageHeading } from '../components/common.component.tsx';

/** Triage queue (issue 9). */
export function TriagePage() {
  return <PageHeading>Triage queue</PageHeading>;
}
