/**
 * `npm run chaos -- --minutes 10 [--seed 1] [--mode orchestration] [--rate 20] [--rabbitmq-url …]
 * [--rabbitmq-node chaos@localhost] [--json]`: split mode on RabbitMQ under load with SIGKILLs, broker
 * restarts, network cuts and provider outages, then healing and the invariant checks (tests/chaos/).
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { formatReport } from '../tests/chaos/chaos-report';
import { chaosOptionsSchema } from '../tests/chaos/chaos-options';
import { runChaos } from '../tests/chaos/run-chaos';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    seed: { type: 'string' },
    mode: { type: 'string' },
    rate: { type: 'string' },
    'rabbitmq-url': { type: 'string', default: process.env.RABBITMQ_URL },
    'rabbitmq-node': { type: 'string' },
    'payment-deadline-ms': { type: 'string' },
    'converge-timeout-ms': { type: 'string' },
    'keep-data': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  strict: true,
});
const parsed = chaosOptionsSchema.safeParse({
  minutes: values.minutes,
  seed: values.seed,
  mode: values.mode,
  rate: values.rate,
  rabbitmqUrl: values['rabbitmq-url'],
  rabbitmqNode: values['rabbitmq-node'],
  paymentDeadlineMs: values['payment-deadline-ms'],
  convergeTimeoutMs: values['converge-timeout-ms'],
  keepData: values['keep-data'],
});
if (!parsed.success) {
  const missing = values.minutes === undefined ? ' (--minutes is required, e.g. --minutes 10)' : '';
  const flag = (key: PropertyKey | undefined) => `--${String(key).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  process.stderr.write(`invalid option: ${parsed.error.issues.map((i) => `${flag(i.path[0])}: ${i.message}`).join('; ')}${missing}\n`);
  process.exit(2);
}
const report = await runChaos(parsed.data, (line) => process.stderr.write(`${line}\n`));
if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else process.stdout.write(`${formatReport(report).join('\n')}\n`);
process.exit(report.ok ? 0 : 1);
