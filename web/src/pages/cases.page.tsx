import { PageHeading } from '../components/common.component.tsx';

/** Cases (issue 9). */
export function CasesPage() {
  return <PageHeading>Cases</PageHeading>;
}
