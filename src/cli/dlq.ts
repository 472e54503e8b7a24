import type { AdminClient, Operation } from './admin-client';
import { describeFailure } from './describe-failure';
import { parseDlqArgs, USAGE } from './dlq-args';
import { deadLetterView, groupsView, listView, operationsView, operationView, progress } from './dlq-views';

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

/** Runs one `npm run dlq` command and returns its exit code: 0 done, 1 refused or failed, 2 a wrong command line. */
export async function runDlq(argv: string[], io: DlqIo): Promise<number> {
  let cmd;
  try {
    cmd = parseDlqArgs(argv);
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
