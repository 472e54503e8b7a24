import { useQuery } from '@tanstack/react-query';
import { trpc } from './client';

/** What this server runs and offers (system.info), asked once per page load. */
export function useSystemInfo() {
  return useQuery({ queryKey: ['system.info'], queryFn: () => trpc.system.info.query(), staleTime: Number.POSITIVE_INFINITY });
}
