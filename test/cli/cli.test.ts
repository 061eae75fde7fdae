import { parseSince } from '../../cli/route-failover/commands/history';
import { loadConfig } from '../../cli/route-failover/context';
import { clip, duration, isoTime, shortPrincipal, table } from '../../cli/route-failover/format';
import { cliHarness, configJson, sentCommands } from './helpers';

/** Argument handling, help and exit codes of route-failover, and its small formatting helpers. */

describe('route-failover: help and usage', () => {
  it.each([
    [['--help'], /^route-failover: move a router group's VPC routes/],
    [['help'], /^route-failover: move a router group's VPC routes/],
    [['switchover', '--help'], /^Usage: route-failover switchover --group G/],
    [['failback', '-h'], /^Usage: route-failover failback --group G/],
    [['status', '--help'], /^Usage: route-failover status/],
    [['history', '--help'], /^Usage: route-failover history/],
    [['history', 'show', '--help'], /route-failover history show EXECUTION/],
    [['help', 'status'], /^Usage: route-failover status/],
  ])('%j prints help, exit 0, no AWS call', async (argv, first) => {
    const h = cliHarness();
    const r = await h.run(argv);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(first);
    expect(r.stdout).toContain('--state-machine-arn ARN');
    expect(r.stdout).toContain('Exit codes: 0 ok, 1 the operation failed');
    expect(sentCommands(h.mocks)).toEqual([]);
  });

  it.each([
    [[], /Usage: route-failover COMMAND/],
    [['bogus'], /unknown command "bogus"/],
    [['status', '--nope'], /Unknown option '--nope'/],
    [['status', '--group'], /argument missing/],
    [['status', '--to', 'router-b'], /--to is not an option of status/],
    [['history', 'list'], /unexpected argument "list"/],
  ])('%j is a usage error: exit 2, nothing sent', async (argv, message) => {
    const h = cliHarness({
      files: { '/repo/cdk.json': JSON.stringify({ context: { failover: JSON.parse(configJson()) } }) },
    });
    const r = await h.run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(message);
    expect(sentCommands(h.mocks)).toEqual([]);
  });

  it('--json errors are JSON on stdout too', async () => {
    const h = cliHarness({ files: { 'f.json': configJson() } });
    const r = await h.run(['failback', '--config', 'f.json', '--group', 'dc-west', '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toEqual({ error: expect.stringContaining('no preferred member'), exitCode: 2 });
  });

  it('an AWS error is reported on one line with exit 1', async () => {
    const h = cliHarness({ files: { 'f.json': configJson() } });
    h.mocks.ec2.rejects(
      Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' }),
    );
    const r = await h.run(['status', '--config', 'f.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('route-failover: UnauthorizedOperation: You are not authorized to perform this operation.');
  });
});

describe('config sources', () => {
  const io = (files: Record<string, string>) => ({
    cwd: '/repo',
    readFile: (p: string) => {
      if (p in files) return files[p];
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
    },
  });

  it('--config FILE is the config JSON itself; a missing or invalid file is refused', () => {
    expect(loadConfig('f.json', io({ 'f.json': configJson() })).config?.groups.map((g) => g.name)).toEqual([
      'onprem-edge',
      'dc-west',
    ]);
    expect(() => loadConfig('g.json', io({}))).toThrow(/^--config g\.json: file not found$/);
    expect(() => loadConfig('f.json', io({ 'f.json': '{' }))).toThrow(/config file f\.json is not valid JSON/);
  });

  it(`default: failover.json, else cdk.json context "failover", in \
the working directory; a missing one is a reason, not an error`, () => {
    expect(
      loadConfig(
        undefined,
        io({ '/repo/cdk.json': JSON.stringify({ context: { failover: JSON.parse(configJson()) } }) }),
      ).config,
    ).toBeDefined();
    const none =
      'no failover config in /repo (no failover.json, no cdk.json context "failover"): pass --config FILE, or write ' +
      'failover.json there (route-failover init prints one)';
    expect(loadConfig(undefined, io({})).problem).toBe(none);
    expect(loadConfig(undefined, io({ '/repo/cdk.json': '{"context":{}}' })).problem).toBe(none);
    expect(
      loadConfig(undefined, io({ '/repo/cdk.json': JSON.stringify({ context: { failover: { groups: [] } } }) }))
        .problem,
    ).toMatch(/groups: at least one group/);
  });

  it("reads the operator's failover.json beside cdk.json first, the file cdk synth reads too", () => {
    const mine = JSON.parse(configJson());
    mine.groups = mine.groups.slice(0, 1);
    mine.groups[0].name = 'dx-edge';
    const files = {
      '/repo/failover.json': JSON.stringify(mine),
      '/repo/cdk.json': JSON.stringify({ context: { failover: JSON.parse(configJson()) } }),
    };
    const loaded = loadConfig(undefined, io(files));
    expect(loaded.config?.groups.map((g) => g.name)).toEqual(['dx-edge']);
    expect(loaded.source).toBe('/repo/failover.json');
    // An invalid failover.json is the reason given, not a fall back to another source.
    const bad = loadConfig(undefined, io({ ...files, '/repo/failover.json': '{"groups":[]}' }));
    expect(bad.config).toBeUndefined();
    expect(bad.problem).toMatch(/invalid config file \/repo\/failover\.json:\n {2}- groups: at least one group/);
  });
});

describe('formatting', () => {
  it('--since accepts durations and ISO dates', () => {
    const now = new Date('2026-11-25T14:30:00Z');
    expect(parseSince('7d', now)?.toISOString()).toBe('2026-11-18T14:30:00.000Z');
    expect(parseSince('12h', now)?.toISOString()).toBe('2026-11-25T02:30:00.000Z');
    expect(parseSince('30m', now)?.toISOString()).toBe('2026-11-25T14:00:00.000Z');
    expect(parseSince('2w', now)?.toISOString()).toBe('2026-11-11T14:30:00.000Z');
    expect(parseSince('2026-11-01', now)?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseSince('2h', now)?.toISOString()).toBe('2026-11-25T12:30:00.000Z');
    expect(parseSince('2026-11-25T14:00:00Z', now)?.toISOString()).toBe('2026-11-25T14:00:00.000Z');
    expect(parseSince('2026-11-25T16:00+02:00', now)?.toISOString()).toBe('2026-11-25T14:00:00.000Z');
    // Without a zone, UTC, like every time the CLI prints (not the machine's local time).
    expect(parseSince('2026-11-25T14:00', now)?.toISOString()).toBe('2026-11-25T14:00:00.000Z');
    expect(parseSince('14:00', now)).toBeUndefined();
    expect(parseSince('yesterday', now)).toBeUndefined();
    expect(parseSince('2026-13-45', now)).toBeUndefined();
  });

  it('aligns columns without trailing spaces, UTC times to the second, short durations and principals', () => {
    expect(
      table(
        ['A', 'BB', 'C'],
        [
          ['xxx', 'y', 'z'],
          ['', 'yyyy', ''],
        ],
      ),
    ).toBe('A    BB    C\nxxx  y     z\n     yyyy');
    expect(isoTime(new Date('2026-11-25T14:30:00.999Z'))).toBe('2026-11-25T14:30:00Z');
    expect([duration(850), duration(12_340), duration(245_000), duration(7_800_000), duration(undefined)]).toEqual([
      '850 ms',
      '12.3 s',
      '4m05s',
      '2h10m',
      '-',
    ]);
    expect(shortPrincipal('arn:aws:sts::111122223333:assumed-role/NetOps/alice')).toBe('NetOps/alice');
    expect(shortPrincipal('arn:aws:iam::111122223333:user/bob')).toBe('user/bob');
    expect(shortPrincipal('netops')).toBe('netops');
    expect(clip('a  b\nc', 10)).toBe('a b c');
    expect(clip('abcdefghijk', 5)).toBe('abcd…');
  });
});
