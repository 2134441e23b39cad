/** Scope cases of the notification routes; see test/helpers/scope-cases.ts. */
import { SCOPE_CASES } from './scope-cases.ts';

void SCOPE_CASES;
