import { parseConfig } from '../../functions/contract/config';
import { closest } from '../../functions/contract/config-errors';
import { ConfigError } from '../../functions/contract/errors';
import { configInput } from './fixtures';

/** The ConfigError message of parsing the fixture config after `edit` changed its first group. */
const messageOf = (edit: (g: Record<string, unknown>, cfg: Record<string, unknown>) => void): string => {
  const cfg = configInput() as unknown as Record<string, unknown> & { groups: Record<string, unknown>[] };
  edit(cfg.groups[0], cfg);
  try {
    parseConfig(cfg);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError, the config was accepted');
};

const members = (g: Record<string, unknown>) => g.members as Array<Record<string, unknown>>;

describe('config errors a person can act on', () => {
  it('says a missing vpcId is required and shows one, not "expected string, received undefined"', () => {
    const msg = messageOf((g) => delete g.vpcId);
    expect(msg).toContain('groups[0].vpcId: required, e.g. "vpc-0123456789abcdef0"');
    expect(msg).not.toMatch(/received undefined/);
  });

  it('gives the expected shapes of a route-table scope, with an example of each', () => {
    const msg = messageOf((g) => (g.routeTables = { tag: 'edge' }));
    expect(msg).toContain(
      'groups[0].routeTables: expected { "ids": ["rtb-0123456789abcdef0"] ' +
        '} or { "tag": { "key": "route-failover", "value": "dx-edge" } }',
    );
    expect(msg).toContain(
      'groups[0].routeTables.tag: expected an object such as { ' +
        '"key": "route-failover", "value": "dx-edge" }, got "edge"',
    );
    expect(msg).not.toMatch(/Invalid input/);
  });

  it('says what is missing inside the scope option its keys pick', () => {
    expect(messageOf((g) => (g.routeTables = { tag: { key: 'failover' } }))).toContain(
      'groups[0].routeTables.tag.value: required',
    );
  });

  it.each([
    ['prefered', 'preferred', (g: Record<string, unknown>) => (g.prefered = 'router-a')],
    ['vpcID', 'vpcId', (g: Record<string, unknown>) => (g.vpcID = g.vpcId)],
    ['instanceID', 'instanceId', (g: Record<string, unknown>) => (members(g)[0].instanceID = members(g)[0].instanceId)],
    ['tags', 'tag', (g: Record<string, unknown>) => (g.routeTables = { tags: { key: 'k', value: 'v' } })],
  ])('names the closest known key for the typo "%s" ("%s")', (typo, known, edit) => {
    expect(messageOf(edit)).toMatch(new RegExp(`${typo}: unknown field, did you mean "${known}"\\?`));
  });

  it('names the closest top-level key too', () => {
    expect(messageOf((_g, cfg) => (cfg.notification = { emails: [] }))).toContain(
      'notification: unknown field, did you mean "notifications"?',
    );
  });

  it('lists the known fields when a key is nothing like any of them', () => {
    expect(messageOf((g) => (g.zzz = 1))).toMatch(
      /groups\[0\]\.zzz: unknown field, known fields: name, vpcId, members/,
    );
  });

  it.each([
    [
      'an instance ID of 12 hex digits',
      (g: Record<string, unknown>) => (members(g)[0].instanceId = 'i-0123456789ab'),
      /members\[0\]\.instanceId: an EC2 instance ID \("i-" and 8 or 17 hex digits\).*got "i-0123456789ab"/,
    ],
    [
      'an instance ID of 16 hex digits',
      (g: Record<string, unknown>) => (members(g)[0].instanceId = 'i-0123456789abcdef'),
      /members\[0\]\.instanceId: an EC2 instance ID/,
    ],
    [
      'a VPC ID of 10 hex digits',
      (g: Record<string, unknown>) => (g.vpcId = 'vpc-0123456789'),
      /groups\[0\]\.vpcId: a VPC ID \("vpc-" and 8 or 17 hex digits\)/,
    ],
    [
      'a route table ID of 9 hex digits',
      (g: Record<string, unknown>) => (g.routeTables = { ids: ['rtb-012345678'] }),
      /routeTables\.ids\[0\]: a route table ID \("rtb-" and 8 or 17 hex digits\)/,
    ],
    [
      'a subnet ID of 16 hex digits',
      (g: Record<string, unknown>) => {
        g.probe = { subnetIds: ['subnet-0123456789abcdef'] };
        members(g).forEach((m, i) => {
          m.probeAddress = `10.0.0.${i + 1}`;
        });
      },
      /probe\.subnetIds\[0\]: a subnet ID \("subnet-" and 8 or 17 hex digits\)/,
    ],
  ])('rejects %s, naming the real format', (_name, edit, expected) => {
    expect(messageOf(edit)).toMatch(expected);
  });

  it('accepts the 8-digit IDs of older resources as well as the 17-digit ones', () => {
    const cfg = configInput() as unknown as { groups: Array<Record<string, unknown>> };
    cfg.groups[0].vpcId = 'vpc-0123abcd';
    members(cfg.groups[0])[0].instanceId = 'i-0123abcd';
    cfg.groups[0].routeTables = { ids: ['rtb-0123abcd', 'rtb-0123456789abcdef0'] };
    expect(parseConfig(cfg).groups[0]).toMatchObject({
      vpcId: 'vpc-0123abcd',
      routeTables: { ids: ['rtb-0123abcd', 'rtb-0123456789abcdef0'] },
    });
  });

  it('finds no "closest" key for a word far from every known one', () => {
    expect(closest('members', ['name', 'vpcId'])).toBeUndefined();
    expect(closest('Members', ['name', 'members'])).toBe('members');
  });
});
