import { useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../api.ts';

/**
 * A cursor-paged list with "Load more": the first page loads whenever `fetchPage` changes (wrap it in useCallback
 * with the filters it depends on), later pages append. Answers to superseded requests (a filter changed while a page
 * was loading) are dropped, so a slow old answer never overwrites a newer one.
 */
export function usePagedList<T>(fetchPage: (cursor: string | null) => Promise<Page<T>>) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const generation = useRef(0);

  const load = useCallback(
    async (from: string | null) => {
      const mine = ++generation.current;
      setLoading(true);
      setError(null);
      try {
        const page = await fetchPage(from);
        if (mine !== generation.current) return;
        setItems((current) => (from ? [...current, ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (err) {
        if (mine === generation.current) setError(err);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    [fetchPage],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  return { items, setItems, cursor, loading, error, loadMore: () => void load(cursor) };
}
