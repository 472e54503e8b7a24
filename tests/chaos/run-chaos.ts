import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TEMP_ROOT_ENV } from '../../src/bus/testing/temp-dir';
import { deleteTopology } from '../e2e/topology-cleanup';
import { AdminApi } from './admin-api';
import { BrokerControl } from './broker-control';
import { chaosOptionsSchema, type ChaosInput, type ChaosOptions } from './chaos-options';
import { FaultInjector, type ExecutedFault, type FaultCounts } from './fault-injector';
import { finalCheck, type FinalCheck } from './final-check';
import { ModuleProcesses } from './module-processes';
import { describePlan, planFaults, type PlannedFault } from './schedule';
import { SteadyLoad, type LoadFigures } from './steady-load';
import { TcpProxy } from './tcp-proxy';
import { waitForConvergence } from './convergence';

export interface ChaosReport {
  options: ChaosOptions;
  plan: PlannedFault[];
  executed: ExecutedFault[];
  faults: FaultCounts;
  /** How long the load and the faults lasted: `--minutes`, or longer when healing took longer than planned. */
  faultPhaseMs: number;
  load: LoadFigures;
  /** From the moment every fault was healed and the load stopped until nothing was unfinished or on its way (see waitForConvergence). */
  convergeMs: number | null;
  deadLettersReplayed: string[];
  proxy: { connections: number; refused: number };
  final: FinalCheck;
  /** Crashes, failed starts, unexpected refusals: bugs, even when the data came out right. */
  findings: string[];
  ok: boolean;
  /** The run's files and process logs when they were kept (a failed check, or --keep-data). */
  keptDataDir: string | null;
}

const GROUPS = ['reservation', 'payment', 'saga', 'saga-observer'];

/**
 * One chaos run on the real broker: split mode (one process per module) behind a TCP proxy to
 * RabbitMQ, an open-loop load, the seeded fault plan (SIGKILLs of either process, broker restarts,
 * network cuts, provider outages), then healing, convergence polled through the API, and the final
 * check on the files. `log` gets the plan and the progress as lines.
 */
export async function runChaos(input: ChaosInput, log: (line: string) => void = () => undefined): Promise<ChaosReport> {
  const options = chaosOptionsSchema.parse(input);
  const durationMs = Math.round(options.minutes * 60_000);
  const plan = planFaults(options.seed, durationMs);
  log(`chaos: ${options.mode}, seed ${options.seed}, ${options.minutes} min at ${options.rate} creates/s, ${plan.length} faults planned:`);
  for (const line of describePlan(plan)) log(line);

  const dataDir = mkdtempSync(join(process.env[TEMP_ROOT_ENV] ?? tmpdir(), 'chaos-'));
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir);
  const broker = new BrokerControl(options.rabbitmqNode ?? null);
  await broker.ensureStarted(); // a run that was interrupted may have left the app stopped
  const target = new URL(options.rabbitmqUrl);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5672));
  const proxyUrl = new URL(options.rabbitmqUrl);
  proxyUrl.hostname = '127.0.0.1';
  proxyUrl.port = String(await proxy.start());
  const prefix = `chaos-${process.pid}-${randomBytes(3).toString('hex')}`;
  const adminToken = randomBytes(24).toString('base64url');
  const env = {
    SAGA_MODE: options.mode,
    BUS: 'rabbitmq',
    RABBITMQ_URL: proxyUrl.href,
    RABBITMQ_PREFIX: prefix,
    DATA_DIR: dataDir,
    ADMIN_TOKEN: adminToken,
    LOG_LEVEL: 'warn',
    PAYMENT_DEADLINE_MS: String(options.paymentDeadlineMs),
    // A retry budget of ~9 s, longer than most outages: the charge usually waits the fault out.
    RETRY_IMMEDIATE: '2',
    RETRY_DELAYED: '8',
    RETRY_BASE_MS: '100',
    RETRY_MAX_MS: '2000',
    PROVIDER_LATENCY_MS: '5',
  };
  const t0 = () => Date.now() - loadStartedAt;
  const say = (line: string) => log(`t+${(t0() / 1000).toFixed(1).padStart(6)} s  ${line}`);
  const processes = new ModuleProcesses(env, logDir, say);
  const admin = new AdminApi((m) => processes.url(m), adminToken);
  const injector = new FaultInjector(processes, broker, proxy, admin);
  const load = new SteadyLoad(() => processes.url('reservation'), options.rate, options.seed);
  const executed: ExecutedFault[] = [];
  let loadStartedAt = Date.now();
  let report: ChaosReport | null = null;
  let progress: NodeJS.Timeout | undefined;
  try {
    await processes.start('reservation');
    await processes.start('payment');
    loadStartedAt = Date.now();
    load.start();
    progress = setInterval(() => {
      const f = load.figures();
      say(`load: ${f.intended} creates, ${f.acknowledged} answered, ${f.refusedSlotTaken} refused (slot taken), ${f.resent} sent again`);
    }, 60_000);
    // Every planned fault runs, even when healing took longer than planned: the load then runs longer too.
    for (const f of plan) {
      if (f.atMs > t0()) await sleep(f.atMs - t0());
      const startedAtMs = t0();
      const done = await injector.apply(f, startedAtMs);
      executed.push(done);
      say(`${f.kind} (from t+${(startedAtMs / 1000).toFixed(1)} s) held ${(f.forMs / 1000).toFixed(1)} s, healed in ${(done.healMs / 1000).toFixed(1)} s${done.error ? `; FAILED: ${done.error}` : ''}`);
      if (done.error) await injector.healAll();
    }
    if (durationMs > t0()) await sleep(durationMs - t0());
    const faultPhaseMs = t0();

    say('healing: network, broker, processes, provider; then waiting for convergence');
    await injector.healAll();
    const healedAt = Date.now();
    await load.finish(options.convergeTimeoutMs);
    const converged = await waitForConvergence(admin, broker, prefix, options.convergeTimeoutMs, say);
    const convergeMs = converged.ok ? Date.now() - healedAt : null;
    say(converged.ok ? `converged in ${((convergeMs ?? 0) / 1000).toFixed(1)} s` : `did NOT converge: ${converged.last}`);
    await processes.stop();
    const final = await finalCheck(dataDir, options.mode, load.intents);
    if (!converged.ok) final.violations.unshift(`did not converge within ${options.convergeTimeoutMs} ms after healing: ${converged.last}`);
    const findings = [...processes.findings, ...load.unexpected, ...executed.filter((e) => e.error).map((e) => `${e.kind} at t+${e.startedAtMs} ms failed: ${e.error}`)];
    const ok = final.violations.length === 0 && findings.length === 0;
    report = {
      options,
      plan,
      executed,
      faults: injector.counts,
      faultPhaseMs,
      load: load.figures(),
      convergeMs,
      deadLettersReplayed: converged.replayed,
      proxy: { connections: proxy.connections, refused: proxy.refused },
      final,
      findings,
      ok,
      keptDataDir: ok && !options.keepData ? null : dataDir,
    };
    return report;
  } catch (e) {
    throw new Error(`the chaos run stopped: ${(e as Error).message} (data and process logs kept in ${dataDir})`);
  } finally {
    clearInterval(progress);
    load.halt();
    await processes.stop();
    await proxy.close();
    await broker.ensureStarted().catch(() => undefined);
    await deleteTopology(options.rabbitmqUrl, prefix, GROUPS, Number(env.RETRY_DELAYED)).catch(() => undefined);
    if (report && report.keptDataDir === null) rmSync(dataDir, { recursive: true, force: true });
  }
}
