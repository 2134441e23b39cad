import type { Services } from '../composition.ts';
import type { ServiceDeps } from './context.ts';

/** Scanning campaigns, opt-outs and overlaps (issue 9). */
export class CampaignService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}
}
