/** Tables added by migration 20261202T1650-notifications (issue 9). Add each table here as `name: NameTable`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface NotificationTables {}
