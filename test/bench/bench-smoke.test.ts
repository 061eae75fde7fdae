import * as path from 'node:path';
import { DEFAULT_OPTIONS, DOCS_BENCH_DIR, parseArgs } from '../../bench/options';
import { runScaleBench } from '../../bench/run';
import { SCALE_HEADERS } from '../../bench/report';

describe('npm run bench (scale part), smoke', () => {
  it('runs 10 routes with no latency, both variants, and renders the table, markdown and chart', async () => {
    const bench = await runScaleBench({
      ...DEFAULT_OPTIONS,
      sizes: [10],
      latencyMs: 0,
      coldStart: false,
      out: undefined,
    });

    expect(SCALE_HEADERS).toEqual([
      'routes',
      'variant',
      'outcome',
      'makespan s',
      'last route usable s',
      'bucket bound s',
      'EC2 calls (throttled)',
      'wrong at end',
      'black-hole sum route·s',
      'black-hole max s',
      'no-route gap sum / max s',
      'Step Functions quotas',
    ]);
    const [workflow, classic] = bench.results;
    expect(workflow).toMatchObject({
      variant: 'workflow',
      routes: 10,
      status: 'SUCCEEDED',
      wrong: { total: 0 },
      blackHole: { open: 0 },
    });
    expect(workflow.calls.ReplaceRoute).toEqual({ total: 10, throttled: 0 });
    expect(workflow.calls.DeleteRoute).toBeUndefined();
    // Weighed as Step Functions would see it (how many events depends on the definition, not on the bench).
    expect(workflow.weight?.historyEvents).toBeGreaterThan(10);
    expect(workflow.weight?.overPayloadLimit).toEqual([]);
    // Classic: first ENI only, so the five eth1 routes end on eth0.
    expect(classic).toMatchObject({ variant: 'classic', routes: 10, wrong: { total: 5, otherTarget: 5 } });
    expect(classic.calls).toMatchObject({ DeleteRoute: { total: 10 }, CreateRoute: { total: 10 } });

    const headerLine = `| ${SCALE_HEADERS.join(' | ')} |`;
    expect(bench.markdown).toContain(headerLine);
    expect(bench.markdown).toMatch(/\| 10 \(1 tables\) \| workflow \| SUCCEEDED \| .* \| 0 \|/);
    expect(bench.console.split('\n')[0]).toMatch(/^routes\s+variant\s+outcome\s+makespan s/);
    expect(bench.svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(bench.svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('parses its options', () => {
    expect(parseArgs(['--sizes', '10,20', '--latency-ms', '5', '--scale', '--no-write'])).toMatchObject({
      sizes: [10, 20],
      latencyMs: 5,
      scale: true,
      coldStart: false,
      out: undefined,
    });
    expect(() => parseArgs(['--clock', 'fast'])).toThrow(/virtual or real/);
    expect(() => parseArgs(['--write', 'docs'])).toThrow(/unknown option docs/);
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown option/);
  });

  it('writes docs/bench/ (tracked files) only when asked: a plain run prints only', () => {
    expect(DEFAULT_OPTIONS.out).toBeUndefined();
    expect(parseArgs([]).out).toBeUndefined();
    expect(parseArgs(['--scale', '--sizes', '10']).out).toBeUndefined();
    expect(parseArgs(['--write']).out).toBe(path.join(__dirname, '..', '..', 'docs', 'bench'));
    expect(DOCS_BENCH_DIR).toBe(path.join(__dirname, '..', '..', 'docs', 'bench'));
    expect(parseArgs(['--out', '/tmp/bench-figures']).out).toBe('/tmp/bench-figures');
    expect(parseArgs(['--write', '--no-write']).out).toBeUndefined();
  });
});
