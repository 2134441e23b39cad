import { PageHeading } from '../components/common.component.tsx';

/** Report findings (issue 9). */
export function IntakePage() {
  return <PageHeading>Report findings</PageHeading>;
}
