import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Stops and starts the RabbitMQ application with rabbitmqctl (the Erlang node stays up, as in the
 * broker-restart test). `node` picks a node other than rabbitmqctl's default (`-n chaos@localhost`):
 * a private broker spares other users of a shared one.
 */
export class BrokerControl {
  constructor(private readonly node: string | null) {}

  async stop(): Promise<void> {
    await this.ctl('stop_app');
  }

  async start(): Promise<void> {
    await this.ctl('start_app');
  }

  /** `start_app` on a running app is a no-op: used when healing, whatever state a run left. */
  ensureStarted(): Promise<void> {
    return this.start();
  }

  /**
   * The queues under `prefix` that still hold messages, ready or unacknowledged, delay queues included
   * (a delayed retry waits there until its TTL sends it back), as `name: count`.
   */
  async busyQueues(prefix: string): Promise<string[]> {
    const out = await this.ctl('list_queues', '-q', '--no-table-headers', 'name', 'messages');
    return out
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([name, count]) => name?.startsWith(`${prefix}.`) && Number(count) > 0)
      .map(([name, count]) => `${name}: ${count}`);
  }

  private async ctl(...command: string[]): Promise<string> {
    const args = [...(this.node ? ['-n', this.node] : []), ...command];
    try {
      return (await run('rabbitmqctl', args, { timeout: 60_000 })).stdout;
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr ?? '';
      throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${stderr.trim() || (e as Error).message}`);
    }
  }
}
