import { readFileSync } from 'node:fs';
import { CONFIG_DOC, FULL_EXAMPLE, renderConfigReference } from '../../cli/docs/config-reference';
import { FailoverConfigSchema } from '../../functions/contract/config';
import * as z from '../../functions/contract/zod';

/**
 * docs/config.md is what the generator makes of the schema today: a field added, renamed or re-described fails here.
 */

describe('docs/config.md (npm run docs:config)', () => {
  it('is exactly what the generator produces from functions/contract/config.ts', () => {
    const expected = renderConfigReference();
    const current = readFileSync(CONFIG_DOC, 'utf8');
    // On failure: npm run docs:config, and commit docs/config.md with the schema change.
    expect(current).toBe(expected);
  });

  it('names every field of the schema, with its description', () => {
    const doc = readFileSync(CONFIG_DOC, 'utf8');
    const fields: { key: string; description?: string }[] = [];
    const walk = (s: Record<string, unknown>): void => {
      for (const [key, value] of Object.entries((s.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        fields.push({ key, description: value.description as string | undefined });
        walk(value);
        if (value.items) walk(value.items as Record<string, unknown>);
        for (const option of (value.anyOf ?? []) as Record<string, unknown>[]) walk(option);
      }
    };
    walk(z.toJSONSchema(FailoverConfigSchema, { io: 'input' }) as Record<string, unknown>);
    expect(fields.length).toBeGreaterThan(40);
    for (const f of fields) {
      expect({ key: f.key, described: typeof f.description === 'string' && f.description.length > 0 }).toEqual({
        key: f.key,
        described: true,
      });
      expect(doc).toContain(`| \`${f.key}\` |`);
      expect(doc).toContain(f.description);
    }
  });

  it('shows an example that sets every field, and it validates', () => {
    const doc = readFileSync(CONFIG_DOC, 'utf8');
    expect(doc).toContain(JSON.stringify(FULL_EXAMPLE, null, 2));
    expect(FailoverConfigSchema.safeParse(FULL_EXAMPLE).success).toBe(true);
  });
});
