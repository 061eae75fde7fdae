import type * as z from './zod';

/**
 * Turns zod's issues about a failover config into lines a person can act on: the field's path, what is expected
 * with an example, and for an unknown key the closest known one. zod's own texts ("Invalid input", "expected
 * string, received undefined") name neither the shape nor the fix.
 */

/** An example value of a field, by the field's name (the last key of its path), as it would be written in JSON. */
const EXAMPLES: Record<string, string> = {
  groups: '[{ "name": "dx-edge", "vpcId": "vpc-0123456789abcdef0", "members": [...] }]',
  name: '"router-a" (letters, digits, "-" or "_")',
  vpcId: '"vpc-0123456789abcdef0"',
  members:
    '[{ "name": "router-a", "instanceId": "i-0123456789abcdef0" }, { "name": "router-b", "instanceId": ' +
    '"i-0fedcba9876543210" }]',
  instanceId: '"i-0123456789abcdef0"',
  preferred: '"router-a" (the name of one of the members)',
  routeTables: '{ "ids": ["rtb-0123456789abcdef0"] } or { "tag": { "key": "route-failover", "value": "dx-edge" } }',
  ids: '["rtb-0123456789abcdef0"]',
  tag: '{ "key": "route-failover", "value": "dx-edge" }',
  routeTableTag: '{ "key": "critical", "value": "true" }',
  priority: '{ "destinations": ["10.0.0.0/8"] } or { "routeTableTag": { "key": "critical", "value": "true" } }',
  destinations: '["10.0.0.0/8", "pl-0123456789abcdef0"]',
  subnetIds: '["subnet-0123456789abcdef0"]',
  probe: '{ "subnetIds": ["subnet-0123456789abcdef0"], "ports": [179] }',
  ports: '[179]',
  probeAddress: '"10.0.1.10"',
  switchMode: '"routes" or "associations"',
  notifications: '{ "emails": ["netops@example.com"] }',
  emails: '["netops@example.com"]',
  key: '"route-failover"',
  value: '"dx-edge"',
  reservedConcurrency: '{ "accountConcurrency": 1000 }',
  elasticIps:
    '["eipalloc-0123456789abcdef0", { "allocationId": "eipalloc-0fedcba9876543210", "slot": "eth1" }] or { "tag": { ' +
    '"key": "route-failover", "value": "vpn-edge" } }',
  allocationId: '"eipalloc-0123456789abcdef0"',
  secondaryPrivateIps: '["10.0.1.100", { "ip": "10.0.1.101", "slot": "eth1" }]',
  ip: '"10.0.1.100"',
  slot: '"eth1"',
  availabilityZone: '"us-east-1a"',
  accountConcurrency: '1000 (Service Quotas: Lambda "Concurrent executions" of the region)',
};

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

/** One line per problem, each starting with the field's path. */
export const describeIssues = (issues: readonly Issue[], raw: unknown, schema: Schema): string[] =>
  issues.flatMap((issue) => describeIssue(issue, [], raw, schema));

const describeIssue = (issue: Issue, prefix: PropertyKey[], raw: unknown, schema: Schema): string[] => {
  const path = [...prefix, ...issue.path];
  const where = formatPath(path);
  const example = exampleOf(path);
  const input = valueAt(raw, path);
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return [`${where}: required${example ? `, e.g. ${example}` : ` (${issue.expected})`}`];
      return [
        `${where}: expected ${article(issue.expected)}${example ? ` such as ${example}` : ''}, ` +
          `got ${describeValue(input)}`,
      ];
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      return issue.keys.map((key) => {
        const near = closest(key, known);
        const hint = near
          ? `did you mean "${near}"?`
          : known.length
            ? `known fields: ${known.join(', ')}`
            : 'remove it';
        return `${formatPath([...path, key])}: unknown field, ${hint}`;
      });
    }
    case 'invalid_union': {
      // A value matching no option of a union of shapes: say the shapes; when the keys pick one option (the
      // only one whose keys are all known), also say what is wrong inside it.
      const lines = [`${where}: expected ${example ?? 'one of the documented shapes'}, got ${describeValue(input)}`];
      // An option whose keys are not all known, or whose type the value does not even have (a list given where
      // an object is one of the options), is not the one meant.
      const inner = issue.errors.filter(
        (branch) =>
          !branch.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0) &&
          !(branch.length === 1 && branch[0].code === 'invalid_type' && branch[0].path.length === 0),
      );
      if (inner.length === 1) lines.push(...inner[0].flatMap((i) => describeIssue(i, path, raw, schema)));
      else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
        const optionKeys = knownKeysAt(schema, path);
        for (const key of Object.keys(input)) {
          const near = optionKeys.includes(key) ? undefined : closest(key, optionKeys);
          if (near) lines.push(`${formatPath([...path, key])}: unknown field, did you mean "${near}"?`);
        }
      }
      return lines;
    }
    case 'invalid_format':
    case 'invalid_value':
      return [
        `${where}: ${issue.message}${example && !issue.message.includes('such as') ? `, e.g. ${example}` : ''}, ` +
          `got ${describeValue(input)}`,
      ];
    case 'too_small':
    case 'too_big':
      return [`${where}: ${issue.message}${example ? ` (e.g. ${example})` : ''}`];
    default:
      return [`${where}: ${issue.message}`];
  }
};

/** `groups[0].members[1].instanceId`; `(root)` for the config itself. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.length === 0
    ? '(root)'
    : path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');

const exampleOf = (path: readonly PropertyKey[]): string | undefined => {
  const last = [...path].reverse().find((p) => typeof p === 'string');
  return typeof last === 'string' && Object.hasOwn(EXAMPLES, last) ? EXAMPLES[last] : undefined;
};

const article = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

const describeValue = (v: unknown): string => {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (v === null) return 'null';
  if (typeof v === 'object')
    return `an object with ${
      Object.keys(v).length
        ? Object.keys(v)
            .map((k) => `"${k}"`)
            .join(', ')
        : 'no fields'
    }`;
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const valueAt = (raw: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (v, key) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined),
    raw,
  );

/** The fields an object schema at `path` knows (every option's, under a union); [] when it is not an object. */
export const knownKeysAt = (schema: Schema, path: readonly PropertyKey[]): string[] => {
  let nodes = [unwrap(schema)];
  for (const key of path) {
    nodes = nodes
      .flatMap((n) => options(n))
      .flatMap((n) => {
        const def = n._zod.def as unknown as Record<string, unknown>;
        if (def.type === 'array' && typeof key === 'number') return [unwrap(def.element as Schema)];
        if (def.type === 'object' && typeof key === 'string') {
          const child = (def.shape as Record<string, Schema>)[key];
          return child ? [unwrap(child)] : [];
        }
        return [];
      });
  }
  const keys = nodes
    .flatMap((n) => options(n))
    .flatMap((n) => {
      const def = n._zod.def as unknown as Record<string, unknown>;
      return def.type === 'object' ? Object.keys(def.shape as object) : [];
    });
  return [...new Set(keys)];
};

const options = (s: Schema): Schema[] => {
  const def = s._zod.def as unknown as Record<string, unknown>;
  return def.type === 'union' ? (def.options as Schema[]).map(unwrap) : [s];
};

const unwrap = (s: Schema): Schema => {
  for (let n = s, i = 0; i < 20; i++) {
    const def = n._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'lazy') n = (def.getter as () => Schema)();
    else if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault')
      n = def.innerType as Schema;
    else if (def.type === 'pipe') n = def.in as Schema;
    else return n;
  }
  return s;
};

/** The known key nearest to `key` by edit distance (case-insensitive), if near enough to be a typo. */
export const closest = (key: string, known: readonly string[]): string | undefined => {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (!best || d < best.d) best = { k, d };
  }
  return best && best.d <= Math.max(2, Math.floor(best.k.length / 3)) ? best.k : undefined;
};

const distance = (a: string, b: string): number => {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
};
