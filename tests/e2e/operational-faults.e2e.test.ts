import Database from 'better-sqlite3';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppRouter } from '../../src/api/router';
import { startHttpServer } from '../../src/api/server';
import { tempDir } from '../../src/bus/testing/temp-dir';
import { silentLogger } from '../../src/platform/logger';
import { kill9, startServer, startServerExpectingFailure, type ServerProcess } from './processes';
import { startSystem } from '../scenarios/system';

const running: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map(kill9));
});
const env = (dir: string) => ({ DATA_DIR: dir, ADMIN_TOKEN: 'operational-faults-token' });

describe('operational faults at start', () => {
  it('a module file that is not SQLite: one line naming the file and what to do; the file is left as it was', async () => {
    const dir = tempDir('notdb-');
    writeFileSync(join(dir, 'payment.db'), 'this is a text file, not a database\n');
    const before = readFileSync(join(dir, 'payment.db'));
    const { code, output } = await startServerExpectingFailure(env(dir));
    expect(code).toBe(1);
    const line = output.trim().split('\n').at(-1)!;
    expect(line).toMatch(/payment\.db is not a usable SQLite database \(SQLITE_NOTADB.*restore it from a backup/i);
    expect(readFileSync(join(dir, 'payment.db'))).toEqual(before);
    expect(existsSync(join(dir, 'payment.db-wal'))).toBe(false);
  });

  it('a damaged SQLite header is refused the same way, and the file is left as it was', async () => {
    const source = tempDir('good-');
    const good = new Database(join(source, 'x.db'));
    good.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1);');
    good.close();
    const dir = tempDir('damaged-');
    copyFileSync(join(source, 'x.db'), join(dir, 'reservation.db'));
    const bytes = readFileSync(join(dir, 'reservation.db'));
    bytes.fill(0x5a, 0, 16); // the "SQLite format 3" magic
    writeFileSync(join(dir, 'reservation.db'), bytes);
    const { code, output } = await startServerExpectingFailure(env(dir));
    expect(code).toBe(1);
    expect(output).toMatch(/reservation\.db is not a usable SQLite database/);
    expect(readFileSync(join(dir, 'reservation.db'))).toEqual(bytes);
  });

  it('a second server on the same data folder (in-memory bus) is refused, naming the process that holds it; after that one is killed, it starts', async () => {
    const dir = tempDir('twice-');
    const first = await startServer(env(dir));
    running.push(first);
    const second = await startServerExpectingFailure(env(dir));
    expect(second.code).toBe(1);
    expect(second.output).toContain(`is in use by process ${first.child.pid}`);
    await kill9(first); // a stale lock: its holder is gone
    const third = await startServer(env(dir));
    running.push(third);
    expect(third.url).toMatch(/^http:/);
  });
});

describe('an HTTP client that never finishes its request', () => {
  it('is cut off by the server’s request timeout (408, connection closed)', async () => {
    const s = await startSystem();
    const http = await startHttpServer(createAppRouter(s.app), { host: '127.0.0.1', port: 0, maxBodyBytes: 10_000, adminToken: 'x'.repeat(16), requestTimeoutMs: 300, headersTimeoutMs: 300 }, silentLogger);
    const { port } = new URL(http.url);
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    socket.write('POST /trpc/reservation.create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"customerId":');
    await new Promise((resolve) => socket.once('close', resolve)); // never sends the rest
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    await http.close();
    await s.stop();
  });
});
