import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FAILURE_STATES, ManualRequestSchema, alarmInstanceId, parseTrigger } from '../../functions/contract/triggers';
import { findMemberByInstance, parseConfigJson } from '../../functions/contract/config';
import { statusCheckAlarmName } from '../../infra/names';
import { markdownFiles } from '../../cli/docs/doc-checks';
import { example, ROOT, runCommand } from './spawn';

/**
 * examples/ and the documented commands that use them: each file goes through the parser the product uses for
 * it, its IDs match the example config, and each local-runner command of the README and docs/ runs as written.
 */

const read = (file: string) => readFileSync(path.join(ROOT, example(file)), 'utf8');
const config = parseConfigJson(read('failover.json'), 'examples/failover.json');
const group = config.groups[0];

describe('examples/', () => {
  it('failover.json is accepted by the config schema', () => {
    expect(config.groups.map((g) => g.name)).toEqual(['onprem-edge']);
    expect(group.members.map((m) => m.name)).toEqual(['router-a', 'router-b']);
  });

  it('events/stopping.json is an EC2 state-change event for a member entering a failure state', () => {
    const t = parseTrigger(JSON.parse(read('events/stopping.json')));
    if (t.kind !== 'instance-state') throw new Error(`stopping.json is a ${t.kind} trigger`);
    expect(FAILURE_STATES).toContain(t.event.detail.state);
    expect(findMemberByInstance(config, t.event.detail['instance-id'])?.member.name).toBe('router-a');
  });

  it('events/alarm.json is the status-check alarm the stack creates for a member, entering ALARM', () => {
    const t = parseTrigger(JSON.parse(read('events/alarm.json')));
    if (t.kind !== 'alarm') throw new Error(`alarm.json is a ${t.kind} trigger`);
    expect(t.event.detail.state.value).toBe('ALARM');
    const owner = findMemberByInstance(config, alarmInstanceId(t.event)!);
    expect(owner?.member.name).toBe('router-a');
    expect(t.event.detail.alarmName).toBe(
      statusCheckAlarmName('VpcRouteFailover', owner!.group.name, owner!.member.name),
    );
  });

  it.each(readdirSync(path.join(ROOT, 'examples', 'requests')))(
    'requests/%s is a manual request for a configured group and member',
    (file) => {
      const request = ManualRequestSchema.parse(JSON.parse(read(`requests/${file}`)));
      expect(parseTrigger(request).kind).toBe('manual');
      expect(request.group).toBe(group.name);
      if (request.to !== undefined) expect(group.members.map((m) => m.name)).toContain(request.to);
      if (request.action === 'failback') expect(group.preferred).toBeDefined();
    },
  );
});

/**
 * Lines of the ```sh blocks of the README and the docs pages (docs/operating.md shows the local runs),
 * continuation lines joined.
 */
const readmeShellCommands = (): string[] => {
  const text = markdownFiles(ROOT)
    .map((file) => readFileSync(path.join(ROOT, file), 'utf8'))
    .join('\n');
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((b) =>
    b
      .replace(/\\\n\s*/g, ' ')
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l && !l.startsWith('#')),
  );
};

describe('README and docs: the local runner commands run as written', () => {
  const simulated = [
    ...new Set(
      readmeShellCommands().filter(
        (c) => /^(npm run -s local|npx tsx cli\/local\/run-local\.ts) /.test(c) && c.includes('--simulate'),
      ),
    ),
  ];
  // The route guard's pass prints its report, not an audit record (docs/operating.md, "Route guard").
  const commands = simulated.filter((c) => !c.includes('--guard'));
  const guardCommands = simulated.filter((c) => c.includes('--guard'));

  it('the docs show the simulated runs of every example input, and none with npm banner on stdout', () => {
    const inputs = commands.map((c) => /--input (\S+)/.exec(c)?.[1]);
    expect(new Set(inputs)).toEqual(
      new Set(
        [
          'events/stopping.json',
          'events/alarm.json',
          'requests/switchover.json',
          'requests/dry-run.json',
          'requests/failback.json',
        ].map(example),
      ),
    );
    // `npm run local` (without -s) prints npm's banner on stdout, before the JSON.
    expect(readmeShellCommands().filter((c) => /npm run local\b/.test(c))).toEqual([]);
  });

  it.each(commands)(
    '%s',
    async (command) => {
      const r = await runCommand('bash', ['-o', 'pipefail', '-c', command]);
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toMatchObject({
        record: 'vpc-route-failover/audit',
        group: 'onprem-edge',
        outcome: expect.stringMatching(/^(succeeded|dry-run|noop)$/),
      });
    },
    60_000,
  );

  it.each(guardCommands)(
    '%s',
    async (command) => {
      const r = await runCommand('bash', ['-o', 'pipefail', '-c', command]);
      // The simulated VPC starts with every route on the preferred member: a clean estate, exit 0.
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout)).toMatchObject({
        report: { ok: true, findings: 0, groups: [{ group: 'onprem-edge', active: { member: 'router-a' } }] },
      });
    },
    60_000,
  );

  it('the docs show a simulated guard pass', () => {
    expect(guardCommands).toHaveLength(1);
  });
});

describe('every --help exits 0', () => {
  it.each([['npm run bench -- --help'], ['npm run -s local -- --help']])(
    '%s',
    async (command) => {
      const r = await runCommand('bash', ['-c', command]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/--help|Usage|\[options\]/);
    },
    60_000,
  );
});
