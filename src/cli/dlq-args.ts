import { parseArgs } from 'node:util';
import { deadLetterStatus, type DeadLetterFilter } from '../bus/dead-letters/store';

export const USAGE = `usage: npm run dlq -- <command> [options]
  groups                                 open dead letters grouped by failure fingerprint
  list [--group G] [--type T] [--status S] [--fingerprint F] [--limit N] [--cursor C]
  show <id>                              one dead letter, sensitive fields masked
  replay <id>                            redeliver one dead letter to the group that failed
  replay-group <fingerprint> [--no-wait] replay every open dead letter of a group, following its progress
  discard <id>
  operations                             group replays, newest first
  operation <id>                         one group replay: progress and failures
  cancel <operation id>                  stop a running group replay
every command takes --json; TRPC_URL (default http://127.0.0.1:3000/trpc) and ADMIN_TOKEN from the environment`;

/** A mistake in the command line itself: exit code 2 and the usage. */
export class UsageError extends Error {}

const NEEDS_ARGUMENT: Record<string, string> = {
  show: 'a dead letter id',
  replay: 'a dead letter id',
  discard: 'a dead letter id',
  'replay-group': 'a fingerprint (see: npm run dlq -- groups)',
  operation: 'an operation id',
  cancel: 'an operation id',
};
const COMMANDS = ['groups', 'list', 'operations', ...Object.keys(NEEDS_ARGUMENT)];

/** The command, its argument and options of one `npm run dlq` call; a UsageError says what is wrong with it. */
export function parseDlqArgs(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      group: { type: 'string' },
      type: { type: 'string' },
      status: { type: 'string' },
      fingerprint: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, arg, ...extra] = positionals;
  if (values.help) return { command: 'help', arg: '', values, filter: {} };
  if (!command || !COMMANDS.includes(command)) throw new UsageError(command ? `unknown command "${command}"; use one of: ${COMMANDS.join(', ')}` : 'no command given');
  if (NEEDS_ARGUMENT[command] && !arg) throw new UsageError(`${command} needs ${NEEDS_ARGUMENT[command]}`);
  if (!NEEDS_ARGUMENT[command] && arg) throw new UsageError(`${command} takes no argument, got "${arg}"`);
  if (extra.length > 0) throw new UsageError(`unexpected argument(s): ${extra.join(' ')}`);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 500)) throw new UsageError(`--limit must be a whole number from 1 to 500, got "${values.limit}"`);
  const status = values.status === undefined ? undefined : deadLetterStatus.safeParse(values.status);
  if (status && !status.success) throw new UsageError(`--status must be one of: ${deadLetterStatus.options.join(', ')}; got "${values.status}"`);
  const filter: DeadLetterFilter = {
    ...(values.group ? { group: values.group } : {}),
    ...(values.type ? { type: values.type } : {}),
    ...(status?.data ? { status: status.data } : {}),
    ...(values.fingerprint ? { fingerprint: values.fingerprint } : {}),
    ...(values.cursor ? { cursor: values.cursor } : {}),
    ...(limit ? { limit } : {}),
  };
  return { command, arg: arg ?? '', values, filter };
}
