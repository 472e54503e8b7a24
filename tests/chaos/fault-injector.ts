import { setTimeout as sleep } from 'node:timers/promises';
import type { BrokerControl } from './broker-control';
import type { ModuleProcesses } from './module-processes';
import type { AdminApi } from './admin-api';
import type { FaultKind, PlannedFault } from './schedule';
import type { TcpProxy } from './tcp-proxy';

/** A fault as it happened: when (after the load started), how long it was held, how long healing took. */
export interface ExecutedFault extends PlannedFault {
  startedAtMs: number;
  healMs: number;
  error?: string;
}

export type FaultCounts = Record<FaultKind, number>;

/** Applies one fault of the plan and heals it: kill and restart, stop and start, cut and restore, on and off. */
export class FaultInjector {
  readonly counts: FaultCounts = { 'kill-reservation': 0, 'kill-payment': 0, 'broker-restart': 0, 'network-cut': 0, 'provider-outage': 0 };

  constructor(
    private readonly processes: ModuleProcesses,
    private readonly broker: BrokerControl,
    private readonly proxy: TcpProxy,
    private readonly admin: AdminApi,
  ) {}

  async apply(f: PlannedFault, startedAtMs: number): Promise<ExecutedFault> {
    const held = async (fault: () => Promise<void> | void, heal: () => Promise<void> | void) => {
      await fault();
      this.counts[f.kind]++;
      await sleep(f.forMs);
      const t = Date.now();
      await heal();
      return Date.now() - t;
    };
    try {
      const healMs = await this.run(f.kind, held);
      return { ...f, startedAtMs, healMs };
    } catch (e) {
      return { ...f, startedAtMs, healMs: 0, error: (e as Error).message };
    }
  }

  /** Whatever a run (or an error in it) left faulty is set right: the network, the broker, the provider, the processes. */
  async healAll(): Promise<void> {
    this.proxy.restore();
    await this.broker.ensureStarted();
    await this.processes.ensureRunning();
    await this.admin.setOutage(false);
  }

  private run(kind: FaultKind, held: (fault: () => Promise<void> | void, heal: () => Promise<void> | void) => Promise<number>): Promise<number> {
    switch (kind) {
      case 'kill-reservation':
        return held(() => this.processes.kill('reservation'), () => this.processes.start('reservation'));
      case 'kill-payment':
        return held(() => this.processes.kill('payment'), () => this.processes.start('payment'));
      case 'broker-restart':
        return held(() => this.broker.stop(), () => this.broker.start());
      case 'network-cut':
        return held(() => this.proxy.cut(), () => this.proxy.restore());
      case 'provider-outage':
        return held(() => this.admin.setOutage(true), () => this.admin.setOutage(false));
    }
  }
}
