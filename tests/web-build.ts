import { ensureWebBuild } from '../scripts/ensure-web-build';

/** vitest globalSetup: `npm test` builds the dashboard when web/dist is missing or stale (the browser test serves it). */
export default function setup(): void {
  ensureWebBuild({ strict: true, log: (line) => console.log(line) });
}
