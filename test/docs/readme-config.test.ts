/** The README's configuration table names exactly the keys services/platform/config.ts reads. */
import { describe, expect, it } from 'vitest';
import { ZConfig } from '../../services/platform/config.ts';
import { section, tableKeys } from './readme.ts';

describe('README configuration table', () => {
  const documented = tableKeys(section('Configuration'));
  const read = Object.keys(ZConfig.shape);

  it('documents every key the configuration reads', () => {
    expect(read.filter((key) => !documented.has(key))).toEqual([]);
  });
  it('documents no key the configuration does not read', () => {
    expect([...documented].filter((key) => !read.includes(key))).toEqual([]);
  });
});
