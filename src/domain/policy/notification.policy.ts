/** Access rules of the notification inbox; see docs/ARCHITECTURE.md, "Access policy". */
export const notificationPolicy = {};
