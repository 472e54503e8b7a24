import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

/** Each English file and its Korean translation, which must have the same sections. */
const pairs = [
  ['README.md', 'docs/ko/README.md'],
  ['docs/patterns.md', 'docs/ko/patterns.md'],
] as const;

/** `#`, `##` and `###` lines outside fenced code blocks, in order. */
function headings(file: string): string[] {
  let inFence = false;
  const found: string[] = [];
  for (const line of readFileSync(join(root, file), 'utf8').split('\n')) {
    if (line.trimStart().startsWith('```')) inFence = !inFence;
    else if (!inFence && /^#{1,3} /.test(line)) found.push(line.trim());
  }
  return found;
}

/** `## 대시보드 <!-- en: Dashboard -->` → `## Dashboard`; undefined when the marker is missing. */
const englishOf = (koHeading: string): string | undefined => {
  const m = /^(#{1,3}) .*<!-- en: (.+?) -->$/.exec(koHeading);
  return m ? `${m[1]} ${m[2]}` : undefined;
};

describe('the Korean docs keep the sections of the English ones', () => {
  it.each(pairs)('%s ↔ %s', (en, ko) => {
    const english = headings(en);
    const korean = headings(ko);
    const marked = korean.map(englishOf);

    const problems = [
      ...korean.filter((_, i) => marked[i] === undefined).map((h) => `${ko}: heading without an "<!-- en: … -->" marker: ${h}`),
      ...english.filter((h) => !marked.includes(h)).map((h) => `${ko}: missing the section "${h}" of ${en}`),
      ...marked.filter((h) => h !== undefined && !english.includes(h)).map((h) => `${ko}: extra section "${h}", not in ${en}`),
    ];
    expect(problems).toEqual([]);
    // Same sections: then they must also come in the same order.
    expect(marked, `${ko}: sections are not in the order of ${en}`).toEqual(english);
  });
});
