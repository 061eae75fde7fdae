import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The local runner as a shell runs it: the real command in a child process, stdout on a pipe. The audit
 * record is the document on stdout; it must arrive whole whatever its size, and progress and errors must
 * read cleanly on stderr.
 */

import { example, ROOT, runCommand, runPipedSlowReader, tmp, TSX } from './spawn';

const runLocal = (args: string[]) => runCommand(TSX, ['cli/local/run-local.ts', ...args]);

describe('local runner: stdout is the whole document', () => {
  it('a 200-route audit record (over 64 KiB) arrives whole on a pipe and parses', async () => {
    const dir = tmp();
    const config = JSON.parse(readFileSync(path.join(ROOT, example('failover.json')), 'utf8'));
    // 50 route tables, each with the 4 routes the simulated VPC puts on the active member: 200 routes.
    config.groups[0].routeTables = {
      ids: Array.from({ length: 50 }, (_, i) => `rtb-0${(0xa000 + i).toString(16)}000000000000`),
    };
    writeFileSync(path.join(dir, 'big.json'), JSON.stringify(config));

    const r = await runPipedSlowReader(
      TSX,
      [
        'cli/local/run-local.ts',
        '--config',
        path.join(dir, 'big.json'),
        '--input',
        example('events/stopping.json'),
        '--simulate',
      ],
      'execution succeeded',
    );

    expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(64 * 1024);
    const record = JSON.parse(r.stdout);
    expect(record).toMatchObject({ outcome: 'succeeded', counts: { planned: 200, replaced: 200 } });
    expect(record.routes).toHaveLength(200);
    expect(r.code).toBe(0);
  }, 60_000);
});

describe('local runner: messages', () => {
  it('a caught step is shown once, as failed, with where the Catch went; no "undefined"', async () => {
    const dir = tmp();
    writeFileSync(
      path.join(dir, 'bad.json'),
      JSON.stringify({ action: 'failback', group: 'onprem-edge', to: 'router-b' }),
    );

    const r = await runLocal([
      '--config',
      example('failover.json'),
      '--input',
      path.join(dir, 'bad.json'),
      '--simulate',
    ]);

    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ outcome: 'failed', error: 'InvalidRequestError' });
    const acquire = r.stderr.split('\n').filter((l) => /\bAcquireLease\b/.test(l) && !/AcquireLease failed/.test(l));
    expect(acquire).toEqual([
      expect.stringMatching(/→ AcquireLease$/),
      expect.stringMatching(
        new RegExp(
          `✗ AcquireLease: InvalidRequestError: failback goes to the preferred member "router-a", ` +
            String.raw`not "router-b" \(caught → AcquireFailed\)$`,
        ),
      ),
    ]);
    expect(r.stderr).not.toMatch(/undefined/);
    expect(r.stderr).toMatch(/^execution FAILED: InvalidRequestError: AcquireLease failed: /m);
  }, 60_000);

  it.each([
    [['--bogus'], /^run-local: Unknown option '--bogus'$/m],
    [['--config'], /^run-local: Option '--config <value>' argument missing$/m],
    [['--config', example('failover.json')], /^run-local: missing --input FILE$/m],
    [
      ['--config', 'nope/failover.json', '--input', example('events/stopping.json'), '--simulate'],
      /^run-local: --config nope\/failover.json: file not found$/m,
    ],
    [
      ['--config', example('failover.json'), '--input', 'nope.json', '--simulate'],
      /^run-local: --input nope.json: file not found$/m,
    ],
    [
      ['--config', example('failover.json'), '--input', example('events/stopping.json')],
      /^run-local: no AWS region: set AWS_REGION \(or AWS_DEFAULT_REGION\), or use --simulate$/m,
    ],
  ])(
    '%j: exit 2, one clear line naming the problem, nothing on stdout',
    async (args, message) => {
      const r = await runLocal(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/TypeError|ENOENT|undefined/);
      expect(r.stdout).toBe('');
    },
    60_000,
  );

  it('--help prints the usage on stdout and exits 0', async () => {
    const r = await runLocal(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npx tsx cli\/local\/run-local.ts --config FILE --input FILE/);
  }, 60_000);
});
