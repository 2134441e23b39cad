/** Access rules of the case-thread part of issue 9; see docs/ARCHITECTURE.md, "Access policy". */
export const caseThreadPolicy = {};
