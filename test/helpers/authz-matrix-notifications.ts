/** Authorisation matrix entries for the notification routes (pushed onto MATRIX). */
import { MATRIX } from './authz-matrix.ts';

void MATRIX;
