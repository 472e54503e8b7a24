import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleName } from '../../src/app';
import { kill9, startServer, type ServerProcess } from '../e2e/processes';

const START_ATTEMPTS = 5;
const STOP_GRACE_MS = 15_000;

/**
 * The two module processes of split mode (`npm start -- --module reservation|payment`), killed and
 * restarted by the chaos runner. A process that exits without being killed is a finding: it is
 * recorded with the end of its output, and restarted as a supervisor would. Each incarnation's output
 * is appended to `<logDir>/<module>.log`.
 */
export class ModuleProcesses {
  /** Exits nobody asked for (crashes), and starts that failed: each one is a bug to report. */
  readonly findings: string[] = [];
  readonly starts: Record<ModuleName, number> = { reservation: 0, payment: 0 };
  private readonly running = new Map<ModuleName, ServerProcess>();
  private readonly killing = new Set<ServerProcess>();
  private readonly starting = new Map<ModuleName, Promise<void>>();
  private stopping = false;

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** The module's tRPC URL while its process is up, else null. */
  url(module: ModuleName): string | null {
    return this.running.get(module)?.url ?? null;
  }

  /** Starts the module's process; a start already under way (a crash's restart) is joined, not doubled. */
  start(module: ModuleName): Promise<void> {
    const under = this.starting.get(module);
    if (under) return under;
    const started = this.startAttempts(module).finally(() => this.starting.delete(module));
    this.starting.set(module, started);
    return started;
  }

  private async startAttempts(module: ModuleName): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const p = await startServer(this.env, ['--module', module], 60_000);
        this.starts[module]++;
        this.running.set(module, p);
        p.child.once('exit', (code, signal) => this.exited(module, p, code, signal));
        return;
      } catch (e) {
        const message = (e as Error).message;
        this.findings.push(`the ${module} process failed to start (attempt ${attempt}): ${tail(message)}`);
        this.log(`! ${module} failed to start (attempt ${attempt})`);
        if (attempt >= START_ATTEMPTS) throw new Error(`the ${module} process did not start in ${START_ATTEMPTS} attempts: ${tail(message)}`);
      }
    }
  }

  /** SIGKILL: no shutdown hook runs, in-flight messages stay unacked, commits in progress are cut off. */
  async kill(module: ModuleName): Promise<void> {
    const p = this.running.get(module);
    if (!p) return;
    this.killing.add(p);
    this.running.delete(module);
    await kill9(p);
  }

  /** Starts whichever module is not running (after a kill or a crash). */
  async ensureRunning(): Promise<void> {
    for (const m of ['reservation', 'payment'] as const) if (!this.running.has(m)) await this.start(m);
  }

  /** SIGTERM (the processes close their files), SIGKILL after a grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.starting.values()]);
    await Promise.all(
      [...this.running].map(async ([module, p]) => {
        this.killing.add(p);
        this.running.delete(module);
        if (p.child.exitCode !== null || p.child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => p.child.once('exit', () => resolve()));
        p.child.kill('SIGTERM');
        const timer = setTimeout(() => {
          this.findings.push(`the ${module} process did not stop within ${STOP_GRACE_MS} ms of SIGTERM`);
          p.child.kill('SIGKILL');
        }, STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private exited(module: ModuleName, p: ServerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    appendFileSync(join(this.logDir, `${module}.log`), `--- ${module} process ${p.child.pid} ended (code ${code}, signal ${signal}) ---\n${p.output()}\n`);
    if (this.killing.delete(p)) return;
    // Nobody killed it: a crash.
    if (this.running.get(module) === p) this.running.delete(module);
    this.findings.push(`the ${module} process exited by itself (code ${code}, signal ${signal}): ${tail(p.output())}`);
    this.log(`! ${module} process exited by itself (code ${code}, signal ${signal}); restarting it`);
    if (!this.stopping) void this.start(module).catch((e: unknown) => this.findings.push((e as Error).message));
  }
}

const tail = (text: string, lines = 15) => text.trim().split('\n').slice(-lines).join('\n');
