import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reservationInput, SCENARIO_ENV } from '../scenarios/system';
import { createAppRouter } from '../../src/api/router';
import { startHttpServer, type HttpServer } from '../../src/api/server';
import type { App } from '../../src/app';
import { FakeClock } from '../../src/bus/testing/fake-clock';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { buildApp } from '../../src/compose';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/platform/logger';
import { createAdminClient } from '../../src/cli/admin-client';
import { runDlq } from '../../src/cli/dlq';

const ADMIN_TOKEN = 'cli-admin-token-0123456789';
const clock = new FakeClock();
let app: App;
let http: HttpServer;

beforeAll(async () => {
  const config = loadConfig({ ...SCENARIO_ENV, DATA_DIR: tempDir('dlq-cli-'), ADMIN_TOKEN, PORT: '0' });
  app = buildApp(config, { clock, logger: silentLogger });
  await app.start();
  http = await startHttpServer(createAppRouter(app), { host: '127.0.0.1', port: 0, maxBodyBytes: config.MAX_BODY_BYTES, adminToken: ADMIN_TOKEN }, silentLogger);
});
afterAll(async () => {
  await http.close();
  await app.stop();
});

/** Runs one command against the in-process server; a followed replay waits on the app's settle signal, not a timer. */
async function dlq(argv: string[], o: { url?: string; token?: string | undefined } = {}) {
  const url = o.url ?? http.url;
  const token = 'token' in o ? o.token : ADMIN_TOKEN;
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDlq(argv, {
    client: createAdminClient(url, token),
    url,
    tokenSet: token !== undefined,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    pause: () => app.settled(),
  });
  return { code, out, err, text: out.join('\n') };
}

/** Three reservations dead-lettered in one group during an outage; returns their ids. */
async function outage(): Promise<string[]> {
  app.payment.setProviderOutage(true);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await app.reservation.create(reservationInput())).reservation.id);
  await clock.advance(10_000, () => app.settled()); // past every delayed retry
  app.payment.setProviderOutage(false);
  return ids;
}

describe('npm run dlq against a real server', () => {
  let ids: string[] = [];
  let fingerprint = '';
  beforeAll(async () => {
    ids = await outage();
    fingerprint = app.deadLetters.groups()[0]!.fingerprint;
  });

  it('groups: a table by default, the API answer with --json', async () => {
    const table = await dlq(['groups']);
    expect(table.code).toBe(0);
    expect(table.out[0]).toMatch(/^FINGERPRINT\s+COUNT\s+GROUP\s+TYPE\s+ERROR\s+FIRST SEEN\s+LAST SEEN\s+SAMPLE$/);
    expect(table.out).toHaveLength(2);
    expect(table.out[1]).toMatch(new RegExp(`^${fingerprint}\\s+3\\s+payment\\s+reservation\\.ReservationCreated\\s+ProviderUnavailableError\\s+\\S+\\s+\\S+\\s+provider unavailable`));

    const json = await dlq(['groups', '--json']);
    expect(JSON.parse(json.text)).toEqual(app.deadLetters.groups());
  });

  it('list filters by group, type, status and fingerprint; show prints one dead letter with secrets masked', async () => {
    const listed = await dlq(['list', '--group', 'payment', '--status', 'open']);
    expect(listed.code).toBe(0);
    expect(listed.out).toHaveLength(4);
    expect(listed.out[0]).toMatch(/^ID\s+STATUS\s+GROUP\s+TYPE\s+ATTEMPTS\s+LAST FAILED\s+FINGERPRINT\s+ERROR$/);
    expect((await dlq(['list', '--type', 'no.Such.v1'])).out).toEqual(['no dead letters match']);
    const page = JSON.parse((await dlq(['list', '--fingerprint', fingerprint, '--limit', '2', '--json'])).text) as { items: Array<{ id: string }>; nextCursor: string };
    expect(page.items).toHaveLength(2);
    expect((await dlq(['list', '--fingerprint', fingerprint, '--limit', '2'])).out.at(-1)).toBe(`more: add --cursor ${page.nextCursor}`);

    const shown = await dlq(['show', page.items[0]!.id]);
    expect(shown.code).toBe(0);
    expect(shown.text).toMatch(/^id\s+\S+$/m);
    expect(shown.text).toMatch(/^error\s+ProviderUnavailableError: provider unavailable/m);
    expect(shown.text).toContain(`fingerprint   ${fingerprint}`);
    expect(shown.text).not.toContain('tok_ok');
  });

  it('replay-group prints the operation id, follows it to the end, and every reservation is CONFIRMED', async () => {
    const r = await dlq(['replay-group', fingerprint]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(new RegExp(`^operation (\\S+) replaying fingerprint ${fingerprint}$`));
    expect(r.text).toMatch(/^status\s+completed$/m);
    expect(r.text).toMatch(/^progress\s+3\/3 done, 0 failed$/m);
    expect(r.text).not.toContain('warning');
    for (const id of ids) expect(app.reservation.get({ id }).status).toBe('CONFIRMED');

    const opId = /^operation (\S+)/.exec(r.out[0]!)![1]!;
    expect((await dlq(['operations'])).text).toMatch(new RegExp(`^${opId}\\s+completed\\s+${fingerprint}\\s+payment\\s+3/3\\s+0\\s+0\\s+`, 'm'));
    expect(JSON.parse((await dlq(['operation', opId, '--json'])).text)).toMatchObject({ id: opId, status: 'completed', total: 3, done: 3 });
    // Ended operations cannot be cancelled; the server says why.
    const cancel = await dlq(['cancel', opId]);
    expect(cancel).toMatchObject({ code: 1, err: [`dlq: CONFLICT: operation ${opId} already completed; only a running operation can be cancelled`] });
  });

  it('replay-group --no-wait --json answers at once with the operation id', async () => {
    await outage();
    const fp = app.deadLetters.groups()[0]!.fingerprint;
    const r = await dlq(['replay-group', fp, '--no-wait', '--json']);
    expect(r.code).toBe(0);
    const { operationId } = JSON.parse(r.text) as { operationId: string };
    await app.settled();
    expect(app.groupReplays.get(operationId)).toMatchObject({ status: 'completed', total: 3, done: 3 });
  });

  it('replay and discard one dead letter', async () => {
    await outage();
    const [a, b] = app.deadLetters.list({ status: 'open' }).items;
    expect(await dlq(['replay', a!.id])).toMatchObject({ code: 0, out: [`replayed ${a!.id}: handled`] });
    expect(await dlq(['discard', b!.id])).toMatchObject({ code: 0, out: [`discarded ${b!.id}`] });
    expect(app.deadLetters.get(b!.id).status).toBe('discarded');
  });

  it('an unknown id, fingerprint or operation: exit 1 and one line with the server’s reason', async () => {
    expect(await dlq(['show', 'nope'])).toMatchObject({ code: 1, out: [], err: ['dlq: NOT_FOUND: no dead letter with id "nope"'] });
    const fp = await dlq(['replay-group', '0123456789abcdef']);
    expect(fp.code).toBe(1);
    expect(fp.err).toHaveLength(1);
    expect(fp.err[0]).toMatch(/^dlq: NOT_FOUND: no dead letters with fingerprint "0123456789abcdef"/);
    expect((await dlq(['operation', 'nope'])).err).toEqual(['dlq: NOT_FOUND: no operation with id "nope"; admin.operations.list shows the operations there are']);
  });

  it('a wrong or missing token: exit 1 and a message that says which', async () => {
    const wrong = await dlq(['groups'], { token: 'not-the-token-at-all' });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toEqual([`dlq: the server at ${http.url} refused the admin token; set ADMIN_TOKEN to the token npm start printed`]);
    const missing = await dlq(['groups'], { token: undefined });
    expect(missing.err[0]).toContain('refused the admin token (ADMIN_TOKEN is not set)');
  });

  it('a server that is not there: exit 1 naming the URL', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/trpc`;
    const r = await dlq(['groups'], { url });
    expect(r.code).toBe(1);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(new RegExp(`^dlq: cannot reach the server at ${url.replace(/[.]/g, '\\.')} \\(ECONNREFUSED\\); is it running\\?`));
  });

  it('a wrong command line: exit 2 with what was wrong and the usage', async () => {
    for (const [argv, reason] of [
      [['frobnicate'], 'dlq: unknown command "frobnicate"; use one of: groups, list, operations, show, replay, discard, replay-group, operation, cancel'],
      [[], 'dlq: no command given'],
      [['show'], 'dlq: show needs a dead letter id'],
      [['groups', 'extra'], 'dlq: groups takes no argument, got "extra"'],
      [['list', '--limit', 'ten'], 'dlq: --limit must be a whole number from 1 to 500, got "ten"'],
      [['list', '--status', 'closed'], 'dlq: --status must be one of: open, replayed, discarded; got "closed"'],
    ] as const) {
      const r = await dlq([...argv]);
      expect(r.code).toBe(2);
      expect(r.err[0]).toBe(reason);
      expect(r.err[1]).toMatch(/^usage: npm run dlq/);
    }
    const unknownOption = await dlq(['groups', '--colour']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.err[0]).toMatch(/^dlq: Unknown option '--colour'/);
    expect((await dlq(['--help'])).code).toBe(0);
  });
});

/** A port nothing listens on: one that was free a moment ago. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
