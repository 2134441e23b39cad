/**
 * The contract every ecosystem's version ordering implements. Matching parses each version once and then compares
 * parsed forms, so `parse` carries the cost and `compare` must be cheap.
 */
export interface VersionScheme<P = unknown> {
  /** Short rule-set name, e.g. `semver`, `pep440`, `maven`, `dpkg`, `rpm`, `apk`. */
  readonly id: string;
  /** Parses a version or throws InvalidVersionError (src/domain/errors.ts) naming the reason. */
  parse(version: string): P;
  /** Negative, zero or positive, like Array#sort's comparator. Equal means "the same version" in the ecosystem. */
  compare(a: P, b: P): number;
}
