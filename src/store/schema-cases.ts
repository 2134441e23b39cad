/** Tables added by migration 20261202T16xx-cases (issue 9). Add each table here as `name: NameTable`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface CaseTables {}
