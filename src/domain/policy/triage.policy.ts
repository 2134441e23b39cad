/** Access rules of the triage part of issue 9; see docs/ARCHITECTURE.md, "Access policy". */
export const triagePolicy = {};
