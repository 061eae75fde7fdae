import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FULL_EXAMPLE } from '../../cli/docs/config-reference';
import { synth } from '../infra/synth';
import {
  anchorsOf,
  checkConfigBlocks,
  checkExampleConfigs,
  checkLinks,
  jsonBlocksOf,
  markdownFiles,
  operatorErrorNames,
} from '../../cli/docs/doc-checks';

/** Links, anchors and config examples of README.md and docs/ hold (cli/docs/doc-checks.ts). */

const ROOT = path.join(__dirname, '..', '..');
const files = markdownFiles(ROOT);
const show = (ps: { file: string; line: number; problem: string }[]) =>
  ps.map((p) => `${p.file}:${p.line}: ${p.problem}`);

describe('documentation checks', () => {
  it('finds the README and the docs pages', () => {
    expect(files).toEqual(
      expect.arrayContaining(['README.md', 'docs/deploy.md', 'docs/config.md', 'docs/troubleshooting.md']),
    );
  });

  it.each(files)('%s: every relative link reaches a file, and every #anchor a heading', (file) => {
    expect(show(checkLinks(ROOT, file))).toEqual([]);
  });

  it.each(files)('%s: every failover config shown validates against the schema', (file) => {
    expect(show(checkConfigBlocks(file, readFileSync(path.join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('examples/*.json validate against the schema', () => {
    expect(show(checkExampleConfigs(ROOT))).toEqual([]);
  });

  it('docs/troubleshooting.md has an entry (a heading) for every error name an operator can be given', () => {
    const names = operatorErrorNames(ROOT);
    expect(names).toEqual(
      expect.arrayContaining([
        'PlanTooLargeError',
        'WriteBudgetError',
        'RoutesNotSwitched',
        'NotificationFailed',
        'DryRunIgnored',
      ]),
    );
    const headings = readFileSync(path.join(ROOT, 'docs', 'troubleshooting.md'), 'utf8')
      .split('\n')
      .filter((l) => /^#{2,4} /.test(l))
      .join('\n');
    expect(names.filter((n) => !new RegExp(`\\b${n.replace('.', '\\.')}\\b`).test(headings))).toEqual([]);
  });

  it('every alarm the stack creates has a row in the troubleshooting alarm table', () => {
    // FULL_EXAMPLE has a probed group and an associations-mode group, so every kind of alarm is there.
    const { template } = synth(FULL_EXAMPLE);
    const groups = FULL_EXAMPLE.groups.map((g) => g.name);
    const members = FULL_EXAMPLE.groups.flatMap((g) => g.members.map((m) => m.name));
    // The probe's silent alarms are per location (subnet).
    const subnets = FULL_EXAMPLE.groups.flatMap(
      (g) => (g as { probe?: { subnetIds: string[] } }).probe?.subnetIds ?? [],
    );
    // The Task functions, as the definition names them (`${ListRoutesFunctionArn}` → ListRoutes).
    const tasks = [
      ...new Set(
        [
          ...readFileSync(path.join(ROOT, 'statemachine', 'failover.asl.json'), 'utf8').matchAll(
            /\$\{([A-Za-z]+)FunctionArn\}/g,
          ),
        ].map((m) => m[1]),
      ),
    ];
    expect(tasks.length).toBeGreaterThanOrEqual(7);
    const patterns = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => {
      let name = String((a as { Properties: { AlarmName: string } }).Properties.AlarmName).replace(/^Test-/, '');
      const swap = (values: string[], placeholder: string) => {
        for (const v of values)
          name = name.replace(new RegExp(`(^|-)${v.replace(/[-]/g, '\\-')}(?=-|$)`, 'g'), `$1${placeholder}`);
      };
      swap(groups, '<group>');
      swap(members, '<member>');
      swap(subnets, '<subnet>');
      swap(tasks, '<Task>');
      return name;
    });
    expect(patterns.length).toBeGreaterThan(20);
    const text = readFileSync(path.join(ROOT, 'docs', 'troubleshooting.md'), 'utf8');
    const table = text.slice(text.indexOf('## Alarms'));
    // A row names an alarm whole (`<stack>-executions-failed`) or by its suffix after one it names
    // (`-executions-timed-out`).
    const missing = [...new Set(patterns)].filter(
      (p) =>
        !table.includes(`<stack>-${p}`) &&
        !table.includes(
          `-${p
            .split('-')
            .slice(p.startsWith('<') ? 1 : 0)
            .join('-')}\``,
        ),
    );
    expect(missing).toEqual([]);
  });

  it('the docs show at least one full config (the checks have something to check)', () => {
    const blocks = files.flatMap((f) =>
      jsonBlocksOf(readFileSync(path.join(ROOT, f), 'utf8')).filter((b) => b.body.includes('"groups"')),
    );
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });
});

describe('the checks see what they must', () => {
  const pages: Record<string, string> = {
    'README.md': [
      '# Title',
      'See [deploy](docs/deploy.md#2-write-your-config), [gone](docs/gone.md), [bad anchor](docs/deploy.md#nowhere),',
      '[self](#title), [twice](docs/deploy.md#step-1), [code](functions/x.ts#L3), `[not a link](nowhere.md)`',
      '```sh',
      '[inside code](nowhere.md)',
      '```',
    ].join('\n'),
    'docs/deploy.md': '# Deploy\n## 2. Write your config\n## Step\n## Step\n',
    'functions/x.ts': 'x',
  };

  it('a missing file and a missing anchor are reported; code spans and blocks are not links', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'doc-checks-'));
    for (const [rel, text] of Object.entries(pages)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
    expect(show(checkLinks(root, 'README.md'))).toEqual([
      'README.md:2: docs/gone.md: no such file docs/gone.md',
      'README.md:2: docs/deploy.md#nowhere: no heading #nowhere in docs/deploy.md',
    ]);
  });

  it('anchors follow GitHub: punctuation dropped, repeated headings numbered', () => {
    expect([...anchorsOf(pages['docs/deploy.md'])]).toEqual(['deploy', '2-write-your-config', 'step', 'step-1']);
    expect(anchorsOf('# `route-failover status` (read only)\n```\n# not a heading\n```\n')).toEqual(
      new Set(['route-failover-status-read-only']),
    );
  });

  it(`a config with a bad field is refused, a block that is \
not JSON is reported, other JSON is not taken for a config`, () => {
    const text = [
      '```json',
      '{ "groups": [{ "name": "g", "vpcId": "vpc-123", "members": [] }] }',
      '```',
      '```json',
      '"reservedConcurrency": { "accountConcurrency": 1000 }',
      '```',
      '```json',
      '{ "action": "switchover", "group": "g" }',
      '```',
    ].join('\n');
    const problems = checkConfigBlocks('x.md', text);
    expect(problems.map((p) => p.line)).toEqual([1, 4]);
    expect(problems[0].problem).toMatch(/vpcId/);
    expect(problems[1].problem).toMatch(/^not JSON/);
  });
});
