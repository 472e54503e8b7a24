import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

/** Where `npm run web:build` (Vite, web/vite.config.ts) writes the dashboard. */
export const WEB_DIST = resolve(import.meta.dirname, '../../web/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The dashboard's pages: the client routes of web/src/routes.ts. Only these (and /assets/, the icon)
 * are claimed, so /trpc/, /metrics, /healthz, /readyz and every other path keep their own answers.
 */
const PAGE = /^\/(?:reservations(?:\/[^/]+)?|dead-letters|operations)?\/?$/;
const ASSET = /^\/assets\/[A-Za-z0-9._-]+$/;
const ROOT_FILES = new Set(['/favicon.svg']);

/** The page may talk to this server only: a stray script or style from elsewhere is refused by the browser. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>consistency-lab: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>Run <code>npm run web:build</code> and reload this page (<code>npm start</code> builds it when it is missing or stale).</p>
<p>The API is at <a href="/trpc/system.info"><code>/trpc/</code></a> and works without it.</p>
</body></html>
`;

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string | number>, body: Buffer | string): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** A file of the build, or null when the path would leave the folder or there is no such file. */
function fileIn(dir: string, urlPath: string): { path: string; size: number } | null {
  const path = resolve(join(dir, urlPath));
  if (!path.startsWith(dir + sep)) return null;
  try {
    const stat = statSync(path);
    return stat.isFile() ? { path, size: stat.size } : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built dashboard from `dir`: its pages (index.html, not cached, so a rebuild shows at once),
 * `/assets/*` (content-hashed names, cached for a year) and the icon. GET and HEAD only; returns false
 * for anything it does not serve, so the caller answers as before.
 */
export function createStaticFiles(dir: string = WEB_DIST): (req: IncomingMessage, res: ServerResponse) => boolean {
  const root = resolve(dir);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = (req.url ?? '/').split('?')[0] as string;
    if (PAGE.test(path)) {
      const index = join(root, 'index.html');
      if (!existsSync(index)) {
        send(req, res, 503, { 'content-type': TYPES['.html'] as string, 'cache-control': 'no-store' }, NOT_BUILT);
        return true;
      }
      send(req, res, 200, { 'content-type': TYPES['.html'] as string, 'cache-control': 'no-cache', ...PAGE_HEADERS }, readFileSync(index));
      return true;
    }
    const isAsset = ASSET.test(path);
    if (!isAsset && !ROOT_FILES.has(path)) return false;
    const file = fileIn(root, path);
    if (!file) {
      send(req, res, 404, { 'content-type': TYPES['.txt'] as string, 'cache-control': 'no-store' }, `no such file "${path}" in the dashboard's build; run npm run web:build\n`);
      return true;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file.path)] ?? 'application/octet-stream',
      'content-length': file.size,
      'cache-control': isAsset ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file.path).on('error', () => res.destroy()).pipe(res);
    return true;
  };
}
