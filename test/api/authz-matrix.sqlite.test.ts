// The authorisation matrix on sqlite; the suite is test/helpers/authz-matrix-suite.ts (one file per database so the two run in parallel).
import { matrixSuite } from '../helpers/authz-matrix-suite.ts';

matrixSuite('sqlite');
