/** Reads the README the way its drift tests need it: a section's text, its bash blocks, its first table's keys. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const README = resolve(import.meta.dirname, '../../README.md');

/** The text under `## <title>` up to the next level-2 heading (its `###` subsections included). */
export function section(title: string, text = readFileSync(README, 'utf8')): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${title}`);
  if (start < 0) throw new Error(`README has no section "## ${title}"`);
  const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The contents of the ```bash blocks, in order. */
export function bashBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** The `UPPER_SNAKE` names in backticks in the first cell of each row of the section's tables. */
export function tableKeys(markdown: string): Set<string> {
  const keys = new Set<string>();
  for (const line of markdown.split('\n')) {
    const cell = /^\|([^|]*)\|/.exec(line)?.[1];
    if (!cell) continue;
    for (const match of cell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) keys.add(match[1]!);
  }
  return keys;
}
