/** Access rules of the campaign part of issue 9; see docs/ARCHITECTURE.md, "Access policy". */
export const campaignPolicy = {};
