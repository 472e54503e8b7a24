import { TRPCClientError } from '@trpc/client';
import { parseArgs } from 'node:util';
import { deadLetterStatus, type DeadLetterFilter } from '../bus/dead-letters/store';
import type { AdminClient, Operation } from './admin-client';
import { deadLetterView, groupsView, listView, operationsView, operationView, progress } from './dlq-views';

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

export interface DlqIo {
  client: AdminClient;
  /** Where the client points, for messages. */
  url: string;
  tokenSet: boolean;
  out(line: string): void;
  err(line: string): void;
  /** Between two polls of a running group replay (a timer on the command line; the app's settle signal in tests). */
  pause(): Promise<void>;
}

/** A mistake in the command line itself: exit code 2 and the usage. */
class UsageError extends Error {}

const NEEDS_ARGUMENT: Record<string, string> = {
  show: 'a dead letter id',
  replay: 'a dead letter id',
  discard: 'a dead letter id',
  'replay-group': 'a fingerprint (see: npm run dlq -- groups)',
  operation: 'an operation id',
  cancel: 'an operation id',
};
const COMMANDS = ['groups', 'list', 'operations', ...Object.keys(NEEDS_ARGUMENT)];

function parse(argv: string[]) {
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

/** Runs one `npm run dlq` command and returns its exit code: 0 done, 1 refused or failed, 2 a wrong command line. */
export async function runDlq(argv: string[], io: DlqIo): Promise<number> {
  let cmd;
  try {
    cmd = parse(argv);
  } catch (e) {
    io.err(`dlq: ${e instanceof Error ? e.message : String(e)}`);
    io.err(USAGE);
    return 2;
  }
  if (cmd.command === 'help') {
    io.out(USAGE);
    return 0;
  }
  const { command, arg, values } = cmd;
  const json = values.json;
  const show = (value: unknown, lines: () => string[]): void => {
    if (json) io.out(JSON.stringify(value, null, 2));
    else for (const l of lines()) io.out(l);
  };
  const admin = io.client.admin;
  try {
    switch (command) {
      case 'groups': {
        const groups = await admin.deadLetters.groups.query();
        show(groups, () => groupsView(groups));
        return 0;
      }
      case 'list': {
        const page = await admin.deadLetters.list.query(cmd.filter);
        show(page, () => listView(page));
        return 0;
      }
      case 'show': {
        const d = await admin.deadLetters.get.query({ id: arg });
        show(d, () => deadLetterView(d));
        return 0;
      }
      case 'replay': {
        const r = await admin.deadLetters.replay.mutate({ id: arg });
        show(r, () => [`replayed ${r.id}: ${r.outcome}`]);
        return r.outcome === 'dead-lettered' ? 1 : 0;
      }
      case 'discard': {
        const r = await admin.deadLetters.discard.mutate({ id: arg });
        show(r, () => [`discarded ${r.id}`]);
        return 0;
      }
      case 'operations': {
        const ops = await admin.operations.list.query();
        show(ops, () => operationsView(ops));
        return 0;
      }
      case 'operation': {
        const op = await admin.operations.get.query({ id: arg });
        show(op, () => operationView(op));
        return 0;
      }
      case 'cancel': {
        const op = await admin.operations.cancel.mutate({ id: arg });
        show(op, () => [`cancelled ${op.id} at ${progress(op)}; what was replayed stays replayed`]);
        return 0;
      }
      default: {
        const { operationId } = await admin.deadLetters.replayGroup.mutate({ fingerprint: arg });
        if (values['no-wait']) {
          show({ operationId }, () => [`operation ${operationId} started; follow it with: npm run dlq -- operation ${operationId}`]);
          return 0;
        }
        if (!json) io.out(`operation ${operationId} replaying fingerprint ${arg}`);
        const op = await follow(operationId, io, json);
        show(op, () => operationView(op));
        return op.status === 'completed' && op.failed === 0 ? 0 : 1;
      }
    }
  } catch (e) {
    io.err(`dlq: ${describeFailure(e, io)}`);
    return 1;
  }
}

/** Polls the operation until it ends, printing each new progress line. */
async function follow(id: string, io: DlqIo, quiet: boolean): Promise<Operation> {
  let last = '';
  for (;;) {
    let op;
    try {
      op = await io.client.admin.operations.get.query({ id });
    } catch (e) {
      throw new Error(`${describeFailure(e, io)} (operation ${id} goes on without us; follow it with: npm run dlq -- operation ${id})`);
    }
    if (op.status !== 'running') return op;
    const line = progress(op);
    if (!quiet && line !== last) io.out(line);
    last = line;
    await io.pause();
  }
}

/** One line that says what went wrong: the server's own message, a refused token, or a server that is not there. */
export function describeFailure(e: unknown, io: Pick<DlqIo, 'url' | 'tokenSet'>): string {
  if (e instanceof TRPCClientError) {
    const code = (e.data as { code?: string } | undefined)?.code;
    if (code === 'UNAUTHORIZED') {
      return `the server at ${io.url} refused the admin token${io.tokenSet ? '' : ' (ADMIN_TOKEN is not set)'}; set ADMIN_TOKEN to the token npm start printed`;
    }
    if (code) return `${code}: ${e.message}`;
    const network = causeCode(e);
    if (network || /fetch failed/i.test(e.message)) return `cannot reach the server at ${io.url} (${network ?? e.message}); is it running? start it with npm start, or point TRPC_URL at it`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** The system error code (ECONNREFUSED, ENOTFOUND …) somewhere down the chain of causes, if any. */
function causeCode(e: unknown): string | null {
  for (let c: unknown = e, depth = 0; c instanceof Error && depth < 5; c = c.cause, depth++) {
    const code = (c as Error & { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return null;
}
