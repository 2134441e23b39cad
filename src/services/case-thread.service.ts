import type { Services } from '../composition.ts';
import type { ServiceDeps } from './context.ts';

/** Case threads: messages, the internal thread, unread markers, message attachments (issue 9). */
export class CaseThreadService {
  constructor(
    protected readonly deps: ServiceDeps,
    /** The other services, resolved lazily so this one needs no place in the wiring order. */
    protected readonly peers: () => Services,
  ) {}
}
