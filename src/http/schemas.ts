import { Type, type TSchema } from '@fastify/type-provider-typebox';
import { CI_SECTORS, ORGANISATION_KINDS, RESTRICTED_ROLE_PATTERN, SCOPES, TLP_LEVELS } from '../domain/policy/access-label.ts';

export const Id = Type.String({ format: 'uuid', description: 'record id' });
export const Timestamp = Type.String({ format: 'date-time' });
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Problem = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.String(),
  },
  { additionalProperties: true, $id: 'Problem', description: 'RFC 9457 problem details' },
);

/** A string enum whose static type is the union of its values. */
export const StringEnum = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const Tlp = StringEnum(TLP_LEVELS, 'TLP 2.0 label');
export const OrganisationKind = StringEnum(ORGANISATION_KINDS, 'organisation kind');
export const Sector = StringEnum(CI_SECTORS, 'CISA critical-infrastructure sector');
export const Scope = StringEnum(SCOPES, 'token scope');
export const RoleName = Type.String({ pattern: RESTRICTED_ROLE_PATTERN, description: 'admin, member, or a restricted role name' });

export const AccessLabel = Type.Object({
  owner: Id,
  tlp: Tlp,
  embargoUntil: Nullable(Timestamp),
  restricted: Nullable(Type.String()),
});

export const LabelInput = Type.Object(
  {
    tlp: Type.Optional(Tlp),
    embargoUntil: Type.Optional(Nullable(Timestamp)),
    restricted: Type.Optional(Nullable(RoleName)),
  },
  { additionalProperties: false },
);

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);

export const PageOf = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const IdParams = Type.Object({ id: Id }, { additionalProperties: false });

/** Error responses every authenticated route can give; listed so OpenAPI documents them. */
export const errorResponses = (...codes: number[]) => Object.fromEntries([400, 401, 403, 429, ...codes].map((c) => [c, Problem]));

export const ifMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String()) });

/** `If-Match: "3"` (or W/"3") → 3; a body `version` is the fallback for clients that cannot set headers. */
export function expectedVersion(ifMatch: string | undefined, bodyVersion: number | undefined): number | undefined {
  if (ifMatch !== undefined) {
    const m = /^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim());
    return m ? Number(m[1]) : -1;
  }
  return bodyVersion;
}
