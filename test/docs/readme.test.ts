import { describe, expect, it } from 'vitest';
import { bashBlocks, section, tableKeys } from './readme.ts';

const SAMPLE = `# T
## Using it (curl)
text
\`\`\`bash
echo one
\`\`\`
### Sub
\`\`\`bash
echo two
\`\`\`
\`\`\`json
{}
\`\`\`
## Configuration
| variable | default |
| --- | --- |
| \`A_KEY\` | \`x\` |
| \`B_KEY\` / \`C_KEY\` | mentions \`NOT_A_KEY\` |
## Next
\`\`\`bash
echo three
\`\`\`
`;

describe('README readers', () => {
  it('take the bash blocks of a section and its subsections only', () => {
    expect(bashBlocks(section('Using it (curl)', SAMPLE))).toEqual(['echo one\n', 'echo two\n']);
  });
  it('take the keys of the first column only', () => {
    expect([...tableKeys(section('Configuration', SAMPLE))].sort()).toEqual(['A_KEY', 'B_KEY', 'C_KEY']);
  });
  it('refuse a section that is not there', () => {
    expect(() => section('Missing', SAMPLE)).toThrow(/no section/);
  });
});
