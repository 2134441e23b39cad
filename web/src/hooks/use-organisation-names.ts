import { useEffect, useState } from 'react';
import { api } from '../api.ts';

// Names already learnt this page load. Lists name organisations by id only; each id is fetched once.
const known = new Map<string, string | null>();
// Bounded like a page of results: a list of 200 rows never names more than 200 organisations.
const MAX_LOOKUPS = 200;

/**
 * Resolves organisation ids to names for display. An organisation the reader may not see (404) stays unnamed,
 * which the caller shows as its id: the list already told the reader the id, nothing more is revealed.
 */
export function useOrganisationNames(ids: string[]): (id: string) => string | null {
  const [, setTick] = useState(0);
  const key = [...new Set(ids)].sort().join(',');
  useEffect(() => {
    const missing = key ? key.split(',').filter((id) => !known.has(id)).slice(0, MAX_LOOKUPS) : [];
    if (missing.length === 0) return;
    let live = true;
    void Promise.all(
      missing.map((id) =>
        api.getOrganisation(id).then(
          (org) => known.set(id, org.name),
          () => known.set(id, null),
        ),
      ),
    ).then(() => live && setTick((t) => t + 1));
    return () => {
      live = false;
    };
  }, [key]);
  return (id) => known.get(id) ?? null;
}

/** Keeps the cache true after a rename on this page load. */
export function rememberOrganisationName(id: string, name: string): void {
  known.set(id, name);
}
