/** Reading Prometheus text in tests. */

/** The value of one sample (`name{labels} value`) whose labels include `labels`; 0 when absent. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) && wanted.every((pair) => candidate.includes(pair)),
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}
