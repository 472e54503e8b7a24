import { createTRPCClient, httpLink, type TRPCClient } from '@trpc/client';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppRouter } from '../../src/api/router';
import type { ModuleName } from '../../src/app';
import { SAGA_STATES, states } from '../../src/saga/definition';
import { readScrape } from '../observability/prometheus';

const CALL_TIMEOUT_MS = 10_000;
const GIVE_UP_MS = 60_000;

/** Where the system stands, as the API tells it (the convergence condition reads this). */
export interface Progress {
  pending: boolean;
  unfinishedSagas: string[];
  openDeadLetters: number;
}

/**
 * The operator's side of the run, over the processes' HTTP API with the admin token: the provider's
 * outage switch (on the payment process), the convergence queries and dead-letter replays (on the
 * reservation process). A call to a process that is restarting is tried again until it answers.
 */
export class AdminApi {
  private readonly clients = new Map<string, TRPCClient<AppRouter>>();

  constructor(
    private readonly urlOf: (m: ModuleName) => string | null,
    private readonly adminToken: string,
  ) {}

  setOutage(on: boolean): Promise<void> {
    return this.persist('payment', async (api) => {
      await api.admin.provider.setOutage.mutate({ on });
    });
  }

  progress(): Promise<Progress> {
    return this.persist('reservation', async (api) => {
      const pending = (await api.reservation.list.query({ status: 'PENDING', limit: 1 })).items.length > 0;
      const unfinishedSagas: string[] = [];
      for (const state of SAGA_STATES.filter((s) => !states[s].terminal)) {
        if ((await api.saga.list.query({ state, limit: 1 })).items.length > 0) unfinishedSagas.push(state);
      }
      const openDeadLetters = (await api.admin.deadLetters.list.query({ status: 'open', limit: 500 })).items.length;
      return { pending, unfinishedSagas, openDeadLetters };
    });
  }

  /** Replays every open dead letter (what an operator does once the cause is fixed); resolves with their types. */
  replayOpenDeadLetters(): Promise<string[]> {
    return this.persist('reservation', async (api) => {
      const open = (await api.admin.deadLetters.list.query({ status: 'open', limit: 500 })).items;
      for (const d of open) await api.admin.deadLetters.replay.mutate({ id: d.id });
      return open.map((d) => `${d.type} for ${d.group} (${d.errorMessage})`);
    });
  }

  /** The module's outbox rows not yet on the broker, read from its `GET /metrics` (`outbox_pending_messages`). */
  outboxPending(module: ModuleName): Promise<number> {
    return this.persist(module, async (_api, url) => {
      const res = await fetch(new URL('/metrics', url), { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
      return readScrape(await res.text()).value('outbox_pending_messages', { module });
    });
  }

  private async persist<T>(module: ModuleName, call: (api: TRPCClient<AppRouter>, url: string) => Promise<T>): Promise<T> {
    const until = Date.now() + GIVE_UP_MS;
    for (;;) {
      const url = this.urlOf(module);
      try {
        if (url) return await call(this.client(url), url);
      } catch (e) {
        if (Date.now() > until) throw new Error(`the ${module} process did not answer an admin call within ${GIVE_UP_MS} ms: ${(e as Error).message}`);
      }
      if (Date.now() > until) throw new Error(`the ${module} process was not running for ${GIVE_UP_MS} ms`);
      await sleep(200);
    }
  }

  private client(url: string): TRPCClient<AppRouter> {
    let c = this.clients.get(url);
    if (!c) {
      c = createTRPCClient<AppRouter>({
        links: [
          httpLink({
            url,
            headers: { authorization: `Bearer ${this.adminToken}` },
            fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) }),
          }),
        ],
      });
      this.clients.set(url, c);
    }
    return c;
  }
}
