/** Access rules of inventory findings and their VEX analyses (issue 10); see docs/ARCHITECTURE.md, "Access policy". */
export const inventoryFindingPolicy = {};
