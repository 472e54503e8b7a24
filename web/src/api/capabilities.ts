import { useQuery } from '@tanstack/react-query';
import { trpc } from './client';

/** What this server runs and offers (system.info), asked once per page load. */
export function useSystemInfo() {
  return useQuery({ queryKey: ['system.info'], queryFn: () => trpc.system.info.query(), staleTime: Number.POSITIVE_INFINITY });
}

/** Whether the server answers a procedure; false until system.info is in, so nothing missing is ever called. */
export function useHas(): (path: string) => boolean {
  const info = useSystemInfo().data;
  return (path) => info?.procedures.includes(path) ?? false;
}

/** True once system.info has answered (a page waits for it before choosing between a procedure and its fallback). */
export function useCapabilitiesKnown(): boolean {
  return useSystemInfo().data !== undefined;
}
