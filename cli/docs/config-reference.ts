import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { FailoverConfigSchema, parseConfig, type FailoverConfigInput } from '../../functions/contract/config';
import * as z from '../../functions/contract/zod';

/**
 * docs/config.md, generated from the one config schema (functions/contract/config.ts) so that the reference cannot
 * drift from what synth, the functions and the CLI accept: every field with its type, whether it is required or
 * its default, its description (the schema's `z.describe` texts) and an example value taken from FULL_EXAMPLE,
 * which must itself validate. A field without a description or without an example stops the generator.
 *
 *   npm run docs:config           rewrites docs/config.md
 *   npm run docs:config -- --check exits 1 when docs/config.md differs
 *   (test/docs/config-reference.test.ts does the same)
 */

const ROOT = path.join(__dirname, '..', '..');
export const CONFIG_DOC = path.join(ROOT, 'docs', 'config.md');
const MINIMAL_EXAMPLE = path.join(ROOT, 'examples', 'failover.json');

/** A config that sets every field of the schema (two groups, one per route-table scope shape). */
export const FULL_EXAMPLE: FailoverConfigInput = {
  groups: [
    {
      name: 'dx-edge',
      vpcId: 'vpc-0123456789abcdef0',
      members: [
        {
          name: 'router-a',
          instanceId: 'i-0123456789abcdef0',
          probeAddress: '10.0.1.10',
          availabilityZone: 'us-east-1a',
        },
        {
          name: 'router-b',
          instanceId: 'i-0fedcba9876543210',
          probeAddress: '10.0.2.10',
          availabilityZone: 'us-east-1b',
        },
      ],
      preferred: 'router-a',
      routeTables: { tag: { key: 'route-failover:group', value: 'dx-edge' } },
      priority: {
        destinations: ['10.0.0.0/8', 'pl-0123456789abcdef0'],
        routeTableTag: { key: 'route-failover:priority', value: 'critical' },
      },
      switchMode: 'routes',
      maxConcurrency: 10,
      statusCheckAlarm: { enabled: true, evaluationPeriods: 2 },
      autoFailback: { holdDownSeconds: 300 },
      flapDamping: { maxFailovers: 3, windowSeconds: 3600 },
      probe: {
        enabled: true,
        subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
        ports: [179],
        intervalMs: 250,
        timeoutMs: 500,
        downAfterMs: 1000,
        minAgreeingLocations: 2,
        heartbeatMs: 2000,
      },
      elasticIps: ['eipalloc-0123456789abcdef0', { allocationId: 'eipalloc-0fedcba9876543210', slot: 'eth1' }],
    },
    {
      name: 'vpn-edge',
      vpcId: 'vpc-0a1b2c3d4e5f60718',
      members: [
        { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
        { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
      ],
      routeTables: { ids: ['rtb-0123456789abcdef0', 'rtb-0fedcba9876543210'] },
      switchMode: 'associations',
      elasticIps: { tag: { key: 'route-failover:follows', value: 'vpn-edge' } },
      secondaryPrivateIps: ['10.1.1.100', { ip: '10.1.1.101', slot: 'eth1' }],
    },
  ],
  notifications: { emails: ['netops@example.com'] },
  inventory: { refreshMinutes: 5 },
  twins: { reconcileMinutes: 15 },
  reservedConcurrency: {
    enabled: true,
    accountConcurrency: 1000,
    simultaneousExecutions: 1,
    headroom: 2,
    otherTasks: 10,
  },
  guard: { intervalMinutes: 1, converge: false, graceSeconds: 300 },
};

interface JsonSchema {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/** A section of the reference: one object of the config, at a JSON path such as `groups[].probe`. */
interface Section {
  path: string;
  description?: string;
  schema: JsonSchema;
  /** The example values at this path (from FULL_EXAMPLE), one per occurrence. */
  examples: unknown[];
  /** For one shape of a union: which. */
  variant?: string;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const code = (text: string): string => `\`${text}\``;
/** One-line JSON with a space after each separator, as a person writes it. */
const json = (value: unknown): string => JSON.stringify(value, null, 1).replace(/\n\s*/g, ' ').replace(/\[ \]/g, '[]');
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** GitHub's anchor of a heading (lower case, punctuation dropped, spaces to hyphens). */
export const githubAnchor = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const headingOf = (s: Pick<Section, 'path' | 'variant'>): string =>
  s.path === '' ? 'Top level' : `${s.path}${s.variant ? ` (${s.variant})` : ''}`;

const range = (lo: number | undefined, hi: number | undefined, unit = ''): string => {
  const top = hi !== undefined && hi < MAX_SAFE ? hi : undefined;
  const bottom = lo !== undefined && lo > -MAX_SAFE ? lo : undefined;
  if (bottom !== undefined && top !== undefined) return `${bottom}-${top}${unit}`;
  if (bottom !== undefined) return `≥ ${bottom}${unit}`;
  if (top !== undefined) return `≤ ${top}${unit}`;
  return '';
};

const isObject = (s: JsonSchema): boolean => s.type === 'object' && s.properties !== undefined;

/** Values at `key` of each example (arrays flattened: `groups[]` reaches every group). */
const step = (examples: unknown[], key: string, isArray: boolean): unknown[] =>
  examples.flatMap((e) => {
    if (e === null || typeof e !== 'object' || Array.isArray(e)) return [];
    const v = (e as Record<string, unknown>)[key];
    if (v === undefined) return [];
    return isArray && Array.isArray(v) ? v : [v];
  });

export const renderConfigReference = (): string => {
  // The example must validate, or the reference would teach a config synth refuses.
  parseConfig(FULL_EXAMPLE, 'FULL_EXAMPLE in cli/docs/config-reference.ts');
  const minimalText = readFileSync(MINIMAL_EXAMPLE, 'utf8').trim();
  parseConfig(JSON.parse(minimalText), path.relative(ROOT, MINIMAL_EXAMPLE));

  const root = z.toJSONSchema(FailoverConfigSchema, { io: 'input', unrepresentable: 'throw' }) as JsonSchema;
  const resolve = (s: JsonSchema): JsonSchema => {
    if (!s.$ref) return s;
    const name = s.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) throw new Error(`config reference: unresolved ${s.$ref}`);
    return { ...target, ...s, $ref: undefined };
  };

  const sections: Section[] = [];
  const collect = (
    schema: JsonSchema,
    at: string,
    examples: unknown[],
    description?: string,
    variant?: string,
  ): void => {
    sections.push({ path: at, schema, examples, description, variant });
    for (const [key, raw] of Object.entries(schema.properties ?? {})) {
      const field = resolve(raw);
      const fieldPath = at === '' ? key : `${at}.${key}`;
      if (field.type === 'array' && field.items && isObject(resolve(field.items))) {
        collect(resolve(field.items), `${fieldPath}[]`, step(examples, key, true), field.description);
      } else if (isObject(field)) {
        collect(field, fieldPath, step(examples, key, false), field.description);
      } else if (field.anyOf) {
        const values = step(examples, key, false);
        field.anyOf.map(resolve).forEach((option) => {
          if (!isObject(option)) return;
          const keys = Object.keys(option.properties ?? {});
          const mine = values.filter(
            (v) => v !== null && typeof v === 'object' && Object.keys(v as object).every((k) => keys.includes(k)),
          );
          collect(option, fieldPath, mine, field.description, `${keys.map((k) => `"${k}"`).join(', ')} form`);
        });
      }
    }
  };
  collect(root, '', [FULL_EXAMPLE]);

  const typeOf = (raw: JsonSchema, fieldPath: string): string => {
    const s = resolve(raw);
    if (s.enum) return s.enum.map((v) => code(JSON.stringify(v))).join(' or ');
    if (s.const !== undefined) return code(JSON.stringify(s.const));
    if (s.anyOf) {
      const shapes = s.anyOf
        .map(resolve)
        .map((o) => (isObject(o) ? `{ ${Object.keys(o.properties ?? {}).join(', ')} }` : typeOf(o, fieldPath)));
      return `one of ${shapes.map(code).join(', ')}`;
    }
    switch (s.type) {
      case 'string': {
        const parts = ['string'];
        if (s.format === 'email') parts[0] = 'e-mail address';
        const len = range(s.minLength, s.maxLength, ' characters');
        if (len) parts.push(len);
        return parts.join(', ');
      }
      case 'integer':
      case 'number': {
        const r = range(s.minimum, s.maximum);
        return r ? `${s.type} ${r}` : s.type;
      }
      case 'boolean':
        return 'boolean';
      case 'array': {
        const items = s.items ? resolve(s.items) : {};
        const count = range(s.minItems, s.maxItems, ' items');
        const what = isObject(items) ? 'objects' : typeOf(items, fieldPath);
        return `array of ${what}${count ? `, ${count}` : ''}`;
      }
      case 'object':
        return 'object';
      default:
        throw new Error(`config reference: no type for ${fieldPath}`);
    }
  };

  const link = (fieldPath: string): string | undefined => {
    const target = sections.find((x) => x.path === fieldPath || x.path === `${fieldPath}[]`);
    return target ? `[${target.path}](#${githubAnchor(headingOf(target))})` : undefined;
  };

  const out: string[] = [];
  out.push(
    '<!-- Generated by `npm run docs:config` from functions/contract/config.ts ' +
      '(cli/docs/config-reference.ts). Do not edit by hand. -->',
  );
  out.push('');
  out.push('# Config reference');
  out.push('');
  out.push(
    'One schema (`functions/contract/config.ts`) describes the ' +
      'failover groups. `cdk synth` validates your config against it ' +
      '(a bad field fails synth with its path, the expected ' +
      'shape and, for a misspelt key, the closest known one), the ' +
      'functions parse the same shape at cold start, and the CLI ' +
      'and the local runner read it from a file. Where the config ' +
      'comes from: [Deploy with your routers](deploy.md#5-deploy-with-your-file). ' +
      '`route-failover init` writes one from your ' +
      'instances.',
  );
  out.push('');
  out.push(`## Minimal example (${path.relative(ROOT, MINIMAL_EXAMPLE)})`);
  out.push('');
  out.push('```json', minimalText, '```');
  out.push('');
  out.push('## Every field set');
  out.push('');
  out.push(
    'Two groups: one with every option of the routes mode, one in the associations mode scoped by route table IDs.',
  );
  out.push('');
  out.push('```json', JSON.stringify(FULL_EXAMPLE, null, 2), '```');
  out.push('');
  out.push('## Fields');
  out.push('');
  out.push(`Sections: ${sections.map((s) => `[${headingOf(s)}](#${githubAnchor(headingOf(s))})`).join(', ')}.`);
  out.push('');
  for (const section of sections) {
    out.push(`### ${headingOf(section)}`);
    out.push('');
    if (section.description) out.push(section.description, '');
    out.push('| Field | Type | Required / default | Description | Example |');
    out.push('|---|---|---|---|---|');
    for (const [key, raw] of Object.entries(section.schema.properties ?? {})) {
      const field = resolve(raw);
      const fieldPath = section.path === '' ? key : `${section.path}.${key}`;
      if (!field.description)
        throw new Error(
          `config reference: ${fieldPath} has no description: add z.describe(...) in functions/contract/config.ts`,
        );
      const required = section.schema.required?.includes(key) && field.default === undefined;
      const need = required
        ? 'required'
        : field.default !== undefined
          ? `default ${code(json(field.default))}`
          : 'optional';
      const values = step(section.examples, key, false);
      if (values.length === 0) throw new Error(`config reference: ${fieldPath} has no example: set it in FULL_EXAMPLE`);
      const nested =
        isObject(field) || field.anyOf || (field.type === 'array' && field.items && isObject(resolve(field.items)));
      const example = nested ? `see ${link(fieldPath) ?? 'above'}` : code(json(values[0]));
      out.push(
        `| ${code(key)} | ${cell(typeOf(field, fieldPath))} | ` +
          `${cell(need)} | ${cell(field.description)} | ${cell(example)} |`,
      );
    }
    out.push('');
  }
  out.push(
    'Rules across fields: member names and instance IDs are ' +
      'unique within a group, and an instance belongs to one group ' +
      "only; `preferred` names a member; `autoFailback` needs `preferred`; an enabled `probe` needs every member's " +
      '`probeAddress`; an enabled `reservedConcurrency` needs ' +
      '`accountConcurrency`; group names are unique. At synth, ' +
      "the stack also checks the reservations against the quota (`ReservedConcurrencyError`) and the groups' " +
      '`maxConcurrency` against the write budget (`WriteBudgetError`): see [Troubleshooting](troubleshooting.md).',
  );
  out.push('');
  return out.join('\n');
};

if (require.main === module) {
  const text = renderConfigReference();
  if (process.argv.includes('--check')) {
    const current = readFileSync(CONFIG_DOC, 'utf8');
    if (current !== text) {
      process.stderr.write(`${path.relative(process.cwd(), CONFIG_DOC)} is out of date: run npm run docs:config\n`);
      process.exitCode = 1;
    }
  } else {
    writeFileSync(CONFIG_DOC, text);
    process.stderr.write(`wrote ${path.relative(process.cwd(), CONFIG_DOC)}\n`);
  }
}
