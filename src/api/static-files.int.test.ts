import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_EXAMPLES } from '../../web/src/routes';
import { tempDir } from '../bus/testing/temp-dir';
import { createStaticFiles } from './static-files';

const built = tempDir('web-dist-');
mkdirSync(join(built, 'assets'));
writeFileSync(join(built, 'index.html'), '<!doctype html><title>dashboard</title>');
writeFileSync(join(built, 'assets', 'index-Ab12.js'), 'console.log(1)');
writeFileSync(join(built, 'assets', 'index-Ab12.css'), 'body{}');
writeFileSync(join(built, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
writeFileSync(join(built, 'secret.txt'), 'not for the web');

/** The handler in front of a stand-in for the rest of the server, which answers 418 to whatever is left to it. */
function serve(dir: string): Promise<{ server: Server; base: string }> {
  const handle = createStaticFiles(dir);
  const server = createServer((req, res) => {
    if (!handle(req, res)) res.writeHead(418).end('left to the server');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

let withBuild: { server: Server; base: string };
let withoutBuild: { server: Server; base: string };
beforeAll(async () => {
  withBuild = await serve(built);
  withoutBuild = await serve(tempDir('web-missing-'));
});
afterAll(() => {
  withBuild.server.close();
  withoutBuild.server.close();
});

describe('the dashboard static files', () => {
  it('answers every client route with index.html, not cached, limited to this origin', async () => {
    for (const route of ROUTE_EXAMPLES) {
      const res = await fetch(withBuild.base + route);
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
      expect(await res.text()).toContain('<title>dashboard</title>');
    }
  });

  it('serves hashed assets with their content type and a year of caching, and the icon', async () => {
    const js = await fetch(`${withBuild.base}/assets/index-Ab12.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    expect((await fetch(`${withBuild.base}/assets/index-Ab12.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${withBuild.base}/favicon.svg`)).headers.get('content-type')).toBe('image/svg+xml');
    const missing = await fetch(`${withBuild.base}/assets/gone-1.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('npm run web:build');
  });

  it('answers HEAD with the headers and no body', async () => {
    const res = await fetch(`${withBuild.base}/`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String('<!doctype html><title>dashboard</title>'.length));
    expect(await res.text()).toBe('');
  });

  it('leaves the API, metrics, health checks, other methods and every other path to the server', async () => {
    const left = ['/trpc/system.info', '/trpc/', '/metrics', '/healthz', '/readyz', '/reservation.create', '/secret.txt', '/index.html.bak', '/reservations/a/b', '/assets/%2e%2e%2fsecret.txt', '/assets/../secret.txt'];
    for (const path of left) expect((await fetch(withBuild.base + path)).status, path).toBe(418);
    expect((await fetch(`${withBuild.base}/`, { method: 'POST', body: '{}' })).status).toBe(418);
  });

  it('says how to build the dashboard when the build is missing', async () => {
    const res = await fetch(`${withoutBuild.base}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('npm run web:build');
    expect((await fetch(`${withoutBuild.base}/trpc/system.info`)).status).toBe(418);
  });
});
