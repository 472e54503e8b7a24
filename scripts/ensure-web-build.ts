/**
 * Builds the dashboard (web/ → web/dist) when the build is missing or older than its sources: run before
 * `npm start` (prestart) and by the test run (tests/web-build.ts). `--force` rebuilds anyway.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web');
const DIST = join(WEB, 'dist');
export const BUILD_STAMP = join(DIST, '.build-stamp');
/** What the bundle is made of: the app's sources, its page and build config, and the installed packages. */
const INPUTS = [join(WEB, 'src'), join(WEB, 'public'), join(WEB, 'index.html'), join(WEB, 'vite.config.ts'), join(ROOT, 'package-lock.json')];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // Tests beside the sources are not part of the bundle.
  return readdirSync(path)
    .filter((name) => !name.endsWith('.test.ts'))
    .reduce((newest, name) => Math.max(newest, newestMtime(join(path, name))), stat.mtimeMs);
}

/** Why the build must be (re)made, or null when web/dist is up to date. */
export function staleReason(): string | null {
  if (!existsSync(join(DIST, 'index.html')) || !existsSync(BUILD_STAMP)) return 'web/dist is missing';
  const built = statSync(BUILD_STAMP).mtimeMs;
  return INPUTS.some((p) => newestMtime(p) > built) ? 'web/ (or package-lock.json) changed since the last build' : null;
}

/** The vite command line, or null when the dev dependencies are not installed. */
function viteBin(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve('vite/package.json');
    return join(dirname(pkg), 'bin', 'vite.js');
  } catch {
    return null;
  }
}

/**
 * Builds when needed. `strict` (tests): a failed or impossible build throws. Otherwise (npm start) it
 * says what went wrong and returns, so the API still starts and `/` explains how to build the dashboard.
 */
export function ensureWebBuild(o: { strict: boolean; force?: boolean; log?: (line: string) => void }): boolean {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const reason = o.force ? 'asked to rebuild' : staleReason();
  if (!reason) return true;
  const vite = viteBin();
  const fail = (why: string) => {
    if (o.strict) throw new Error(why);
    log(`${why}; starting without the dashboard`);
    return false;
  };
  if (!vite) return fail('the dashboard needs building but vite is not installed (run npm install)');
  log(`building the dashboard (${reason}) …`);
  const started = Date.now();
  const run = spawnSync(process.execPath, [vite, 'build', '--config', join(WEB, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) return fail(`the dashboard build failed (vite exited with ${run.status ?? run.signal}); fix it and run npm run web:build`);
  writeFileSync(BUILD_STAMP, `${new Date().toISOString()}\n`);
  log(`dashboard built into web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  ensureWebBuild({ strict: process.argv.includes('--strict'), force: process.argv.includes('--force') });
}
