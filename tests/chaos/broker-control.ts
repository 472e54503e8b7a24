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

  stop(): Promise<void> {
    return this.ctl('stop_app');
  }

  start(): Promise<void> {
    return this.ctl('start_app');
  }

  /** `start_app` on a running app is a no-op: used when healing, whatever state a run left. */
  ensureStarted(): Promise<void> {
    return this.start();
  }

  private async ctl(command: 'stop_app' | 'start_app'): Promise<void> {
    const args = [...(this.node ? ['-n', this.node] : []), command];
    try {
      await run('rabbitmqctl', args, { timeout: 60_000 });
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr ?? '';
      throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${stderr.trim() || (e as Error).message}`);
    }
  }
}
