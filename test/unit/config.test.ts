import { findGroup, findMemberByInstance, parseConfig, parseConfigJson } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import { configInput, GROUP, IDS } from './fixtures';

/** Runs fn, expects a ConfigError and returns its message. */
const configErrorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as Error).name).toBe('ConfigError');
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
};

/** A config input whose first group has been changed by `edit`. */
const withGroup = (edit: (g: Record<string, unknown>) => void): Record<string, unknown> => {
  const cfg = configInput() as unknown as { groups: Record<string, unknown>[] };
  edit(cfg.groups[0]);
  return cfg as unknown as Record<string, unknown>;
};

const secondGroup = (instanceB: string = IDS.routerC) => ({
  name: 'dc2-edge',
  vpcId: IDS.otherVpc,
  members: [
    { name: 'fw-1', instanceId: IDS.stranger },
    { name: 'fw-2', instanceId: instanceB },
  ],
});

describe('parseConfig', () => {
  it('accepts a valid config and fills the defaults', () => {
    const cfg = parseConfig(configInput());

    expect(cfg.groups).toHaveLength(1);
    const g = cfg.groups[0];
    expect(g).toMatchObject({ name: GROUP, vpcId: IDS.vpc, preferred: 'router-a' });
    expect(g.members.map((m) => m.name)).toEqual(['router-a', 'router-b']);
    expect(g.maxConcurrency).toBe(10);
    expect(g.statusCheckAlarm).toEqual({ enabled: true, evaluationPeriods: 2 });
    expect(g.routeTables).toBeUndefined();
    expect(cfg.notifications).toEqual({ emails: [] });
  });

  it('keeps explicit values instead of the defaults', () => {
    const cfg = parseConfig(
      withGroup((g) => {
        g.maxConcurrency = 3;
        g.statusCheckAlarm = { enabled: false };
        g.routeTables = { tag: { key: 'failover-group', value: GROUP } };
      }),
    );
    expect(cfg.groups[0].maxConcurrency).toBe(3);
    expect(cfg.groups[0].statusCheckAlarm).toEqual({ enabled: false, evaluationPeriods: 2 });
    expect(cfg.groups[0].routeTables).toEqual({ tag: { key: 'failover-group', value: GROUP } });
  });

  it('accepts a route table scope given as IDs', () => {
    const cfg = parseConfig(withGroup((g) => (g.routeTables = { ids: [IDS.rtbPrivateA, IDS.rtbPrivateB] })));
    expect(cfg.groups[0].routeTables).toEqual({ ids: [IDS.rtbPrivateA, IDS.rtbPrivateB] });
  });

  it('names the source in the message (where)', () => {
    const msg = configErrorOf(() => parseConfig({}, 'cdk.json context "failover"'));
    expect(msg).toContain('cdk.json context "failover"');
    expect(msg).toContain('groups');
  });

  it.each<[string, (g: Record<string, unknown>) => void, RegExp]>([
    ['bad vpcId', (g) => (g.vpcId = 'vpc-XYZ'), /groups\[0\]\.vpcId: .*VPC ID/],
    [
      'bad instanceId',
      (g) => ((g.members as { instanceId: string }[])[1].instanceId = 'i-nothex!'),
      /groups\[0\]\.members\[1\]\.instanceId: .*instance ID/,
    ],
    [
      'one member only',
      (g) => (g.members = (g.members as unknown[]).slice(0, 1)),
      /groups\[0\]\.members: a group needs at least two members/,
    ],
    [
      'duplicate member names',
      (g) => ((g.members as { name: string }[])[1].name = 'router-a'),
      /groups\[0\]\.members\[1\]\.name: duplicate member name "router-a"/,
    ],
    [
      'the same instance twice in one group',
      (g) => ((g.members as { instanceId: string }[])[1].instanceId = IDS.routerA),
      new RegExp(`groups\\[0\\]\\.members\\[1\\]\\.instanceId: instance ${IDS.routerA} is listed twice`),
    ],
    ['preferred not a member', (g) => (g.preferred = 'router-z'), /groups\[0\]\.preferred: "router-z" is not a member/],
    ['unknown extra key', (g) => (g.enis = ['eni-0123']), /groups\[0\]\.enis: unknown field/],
    [
      'bad member name',
      (g) => ((g.members as { name: string }[])[0].name = 'router a'),
      /groups\[0\]\.members\[0\]\.name: /,
    ],
    ['maxConcurrency out of range', (g) => (g.maxConcurrency = 0), /groups\[0\]\.maxConcurrency: /],
    [
      'route table scope with a bad ID',
      (g) => (g.routeTables = { ids: [IDS.rtbPrivateA, 'rtb-nope'] }),
      /groups\[0\]\.routeTables\.ids\[1\]: a route table ID .*such as rtb-/,
    ],
    // A union of two strict shapes: zod can only say the scope as a whole is neither; the path still points at it.
    [
      'route table scope with both ids and tag',
      (g) => (g.routeTables = { ids: [IDS.rtbPrivateA], tag: { key: 'k', value: 'v' } }),
      /groups\[0\]\.routeTables: /,
    ],
    ['route table scope with an empty id list', (g) => (g.routeTables = { ids: [] }), /groups\[0\]\.routeTables/],
  ])('rejects %s with a ConfigError naming the field', (_name, edit, expected) => {
    const msg = configErrorOf(() => parseConfig(withGroup(edit)));
    expect(msg).toMatch(/^invalid failover config:\n/);
    expect(msg).toMatch(expected);
  });

  it('rejects an instance that belongs to two groups, naming the second occurrence', () => {
    const cfg = configInput() as unknown as { groups: unknown[] };
    cfg.groups.push(secondGroup(IDS.routerB));
    const msg = configErrorOf(() => parseConfig(cfg));
    expect(msg).toContain(
      `groups[1].members[1].instanceId: instance ${IDS.routerB} already belongs to group "${GROUP}"`,
    );
  });

  it('accepts two groups with distinct instances', () => {
    const cfg = configInput() as unknown as { groups: unknown[] };
    cfg.groups.push(secondGroup());
    expect(parseConfig(cfg).groups.map((g) => g.name)).toEqual([GROUP, 'dc2-edge']);
  });

  it('rejects duplicate group names', () => {
    const cfg = configInput() as unknown as { groups: unknown[] };
    cfg.groups.push({ ...secondGroup(), name: GROUP });
    expect(configErrorOf(() => parseConfig(cfg))).toContain(`groups[1].name: duplicate group name "${GROUP}"`);
  });

  it('rejects an unknown top-level key', () => {
    const msg = configErrorOf(() => parseConfig({ ...configInput(), dryRun: true }));
    expect(msg).toContain('dryRun: unknown field');
  });

  it('rejects a config without groups', () => {
    expect(configErrorOf(() => parseConfig({ groups: [] }))).toContain('groups: at least one group');
  });

  it('lists every bad field, not just the first', () => {
    const msg = configErrorOf(() =>
      parseConfig(
        withGroup((g) => {
          g.vpcId = 'nope';
          g.name = 'has space';
        }),
      ),
    );
    expect(msg).toContain('groups[0].vpcId');
    expect(msg).toContain('groups[0].name');
  });
});

describe('parseConfigJson', () => {
  it('parses JSON text', () => {
    const cfg = parseConfigJson(JSON.stringify(configInput()));
    expect(cfg.groups[0].maxConcurrency).toBe(10);
  });

  it.each([
    ['undefined', undefined],
    ['empty', ''],
    ['blank', '  \n\t'],
  ])('rejects %s text as empty', (_name, text) => {
    expect(configErrorOf(() => parseConfigJson(text, 'FAILOVER_CONFIG'))).toBe('FAILOVER_CONFIG is empty');
  });

  it('rejects invalid JSON with a ConfigError (not a SyntaxError)', () => {
    const msg = configErrorOf(() => parseConfigJson('{"groups": [', 'FAILOVER_CONFIG'));
    expect(msg).toMatch(/^FAILOVER_CONFIG is not valid JSON: /);
  });

  it('validates the parsed shape and names the field', () => {
    const text = JSON.stringify(withGroup((g) => (g.vpcId = 'vpc-1')));
    expect(configErrorOf(() => parseConfigJson(text, 'config.json'))).toMatch(
      /^invalid config\.json:\n {2}- groups\[0\]\.vpcId: /,
    );
  });
});

describe('findGroup / findMemberByInstance', () => {
  it('find a group by name and a member by instance ID', () => {
    const cfg = parseConfig(configInput());
    expect(findGroup(cfg, GROUP)?.vpcId).toBe(IDS.vpc);
    expect(findGroup(cfg, 'nope')).toBeUndefined();
    const found = findMemberByInstance(cfg, IDS.routerB);
    expect(found?.group.name).toBe(GROUP);
    expect(found?.member.name).toBe('router-b');
    expect(findMemberByInstance(cfg, IDS.stranger)).toBeUndefined();
  });
});
