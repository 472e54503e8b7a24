import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

/** The README and every guide under docs/ (the files a reader follows). */
function docs(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.md') ? [p] : [];
    });
  return [join(root, 'README.md'), ...(existsSync(join(root, 'docs')) ? walk(join(root, 'docs')) : [])];
}
const withoutCode = (md: string) => md.replace(/```[\s\S]*?```/g, (block) => (block.startsWith('```bash') || block.startsWith('```sh') ? block : ''));

describe('docs that stay true', () => {
  it('name only npm scripts that exist in package.json', () => {
    const missing: string[] = [];
    for (const file of docs()) {
      for (const m of readFileSync(file, 'utf8').matchAll(/npm run (?:-s )?([a-z][\w:-]*)/g)) {
        if (!scripts.includes(m[1] as string)) missing.push(`${relative(root, file)}: npm run ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('have relative links that resolve', () => {
    const broken: string[] = [];
    for (const file of docs()) {
      for (const m of withoutCode(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = (m[1] as string).split('#')[0] as string;
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(resolve(dirname(file), target))) broken.push(`${relative(root, file)} → ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
