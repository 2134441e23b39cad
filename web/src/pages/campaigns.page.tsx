import { PageHeading } from '../components/common.component.tsx';

/** Scanning campaigns (issue 9). */
export function CampaignsPage() {
  return <PageHeading>Scanning campaigns</PageHeading>;
}
