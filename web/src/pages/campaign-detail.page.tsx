import { PageHeading } from '../components/common.component.tsx';

/** Scanning campaign (issue 9). */
export function CampaignDetailPage({ campaignId }: { campaignId: string }) {
  return <PageHeading>Scanning campaign</PageHeading>;
}
