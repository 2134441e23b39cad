/** Scope cases of the dashboards routes (issue 10); see test/helpers/scope-cases.ts. */
import { SCOPE_CASES } from './scope-cases.ts';

void SCOPE_CASES;
