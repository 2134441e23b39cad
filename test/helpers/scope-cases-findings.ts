/** Scope cases of the findings routes (issue 9); see test/helpers/scope-cases.ts. */
import { SCOPE_CASES } from './scope-cases.ts';

void SCOPE_CASES;
