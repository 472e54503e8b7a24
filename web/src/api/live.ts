import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import { untyped } from './client';
import { useHas } from './capabilities';

/**
 * Keeps a query fresh: when the server has the subscription, every pushed change (SSE) refetches it;
 * otherwise the query polls every `pollMs`. Returns what to pass as `refetchInterval`.
 * FALLBACK(subscriptions): polling stays only for servers without `path`.
 */
export function useLiveRefresh(queryKey: QueryKey, sub: { path: string; input: unknown } | null, pollMs: number): { live: boolean; refetchInterval: number | false } {
  const has = useHas();
  const qc = useQueryClient();
  const live = sub !== null && has(sub.path);
  const key = JSON.stringify(queryKey);
  const input = JSON.stringify(sub?.input ?? null);
  useEffect(() => {
    if (!live || !sub) return;
    const subscription = untyped.subscription(sub.path, JSON.parse(input), {
      onData: () => void qc.invalidateQueries({ queryKey: JSON.parse(key) as QueryKey }),
      onError: () => void qc.invalidateQueries({ queryKey: JSON.parse(key) as QueryKey }),
    });
    return () => subscription.unsubscribe();
  }, [live, sub?.path, key, input, qc]);
  return { live, refetchInterval: live ? false : pollMs };
}
