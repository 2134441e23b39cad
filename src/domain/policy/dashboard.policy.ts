/** Access rules of the remediation dashboards (issue 10); see docs/ARCHITECTURE.md, "Access policy". */
export const dashboardPolicy = {};
