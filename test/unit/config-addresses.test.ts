/** The group's addresses in the one config schema: shapes, named errors, and the cross-zone refusal at synth. */
import { parseConfig } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import { configInput } from './fixtures';

type G = Record<string, unknown> & { members: Array<Record<string, unknown>> };
const withGroup = (edit: (g: G) => void) => {
  const cfg = configInput() as unknown as { groups: G[] };
  edit(cfg.groups[0]);
  return cfg;
};
const messageOf = (edit: (g: G) => void): string => {
  try {
    parseConfig(withGroup(edit));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError, the config was accepted');
};

it('accepts allocation IDs, with or without a slot, a tag, and secondary IPs with or without a slot', () => {
  const parsed = parseConfig(
    withGroup((g) => {
      g.elasticIps = ['eipalloc-0123456789abcdef0', { allocationId: 'eipalloc-01234567', slot: 'eth1' }];
      g.secondaryPrivateIps = ['10.0.1.100', { ip: '10.0.1.101', slot: 'eth1' }];
    }),
  );
  expect(parsed.groups[0].elasticIps).toEqual([
    'eipalloc-0123456789abcdef0',
    { allocationId: 'eipalloc-01234567', slot: 'eth1' },
  ]);
  expect(parsed.groups[0].secondaryPrivateIps).toHaveLength(2);
  expect(
    parseConfig(withGroup((g) => (g.elasticIps = { tag: { key: 'route-failover', value: 'vpn' } }))).groups[0]
      .elasticIps,
  ).toEqual({ tag: { key: 'route-failover', value: 'vpn' } });
  // Absent: the group moves no address.
  expect(parseConfig(withGroup(() => undefined)).groups[0].elasticIps).toBeUndefined();
});

it.each([
  [
    'a public IP where an allocation ID goes',
    (g: G) => (g.elasticIps = ['203.0.113.10']),
    /groups\[0\]\.elasticIps.*eipalloc-0123456789abcdef0/,
  ],
  [
    'an allocation ID of 12 hex digits',
    (g: G) => (g.elasticIps = [{ allocationId: 'eipalloc-0123456789ab' }]),
    /elasticIps\[0\]\.allocationId: an Elastic IP allocation ID \("eipalloc-" and 8 or 17 hex digits\)/,
  ],
  [
    'a slot by device index',
    (g: G) => (g.elasticIps = [{ allocationId: 'eipalloc-0123456789abcdef0', slot: '1' }]),
    /elasticIps\[0\]\.slot: an interface slot "eth0" to "eth15"/,
  ],
  [
    'a secondary IP that is not an address',
    (g: G) => (g.secondaryPrivateIps = ['10.0.1.300']),
    /groups\[0\]\.secondaryPrivateIps.*10\.0\.1\.100/,
  ],
  [
    'the same allocation twice',
    (g: G) => (g.elasticIps = ['eipalloc-0123456789abcdef0', { allocationId: 'eipalloc-0123456789abcdef0' }]),
    /elasticIps\[1\]: Elastic IP eipalloc-0123456789abcdef0 is listed twice/,
  ],
  ['an empty list', (g: G) => (g.elasticIps = []), /groups\[0\]\.elasticIps/],
])('names %s', (_what, edit, expected) => {
  expect(messageOf(edit)).toMatch(expected);
});

it.each([
  ['elasticIPs', 'elasticIps', (g: G) => (g.elasticIPs = ['eipalloc-0123456789abcdef0'])],
  ['secondaryPrivateIPs', 'secondaryPrivateIps', (g: G) => (g.secondaryPrivateIPs = ['10.0.1.100'])],
  ['allocationID', 'allocationId', (g: G) => (g.elasticIps = [{ allocationID: 'eipalloc-0123456789abcdef0' }])],
  ['availabilityzone', 'availabilityZone', (g: G) => (g.members[0].availabilityzone = 'us-east-1a')],
])('says did you mean for the typo "%s"', (typo, known, edit) => {
  expect(messageOf(edit)).toMatch(new RegExp(`${typo}: unknown field, did you mean "${known}"\\?`));
});

it(`refuses at synth a secondary private IP in a group whose \
members are known to be in two zones (CrossZoneSecondaryIp)`, () => {
  const msg = messageOf((g) => {
    g.members[0].availabilityZone = 'us-east-1a';
    g.members[1].availabilityZone = 'us-east-1b';
    g.secondaryPrivateIps = ['10.0.1.100'];
  });
  expect(msg).toMatch(
    new RegExp(
      String.raw`groups\[0\]\.secondaryPrivateIps: CrossZoneSecondaryIp: a secondary private IP moves only ` +
        `between interfaces of one subnet`,
    ),
  );
  expect(msg).toContain('us-east-1a');
  expect(msg).toContain('us-east-1b');
});

it('lets Elastic IPs cross zones, and secondary IPs stay when the zones are one or unknown', () => {
  const zones = (a?: string, b?: string) => (g: G) => {
    if (a) g.members[0].availabilityZone = a;
    if (b) g.members[1].availabilityZone = b;
  };
  expect(() =>
    parseConfig(
      withGroup((g) => {
        zones('us-east-1a', 'us-east-1b')(g);
        g.elasticIps = ['eipalloc-0123456789abcdef0'];
      }),
    ),
  ).not.toThrow();
  expect(() =>
    parseConfig(
      withGroup((g) => {
        zones('us-east-1a', 'us-east-1a')(g);
        g.secondaryPrivateIps = ['10.0.1.100'];
      }),
    ),
  ).not.toThrow();
  expect(() =>
    parseConfig(
      withGroup((g) => {
        zones('us-east-1a')(g);
        g.secondaryPrivateIps = ['10.0.1.100'];
      }),
    ),
  ).not.toThrow();
  expect(messageOf((g) => (g.members[0].availabilityZone = 'east'))).toMatch(
    /members\[0\]\.availabilityZone: an Availability Zone such as us-east-1a/,
  );
});
