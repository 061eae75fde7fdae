import type { Template } from 'aws-cdk-lib/assertions';
import { FAILOVER_METRICS, FAILOVER_NAMESPACE } from '../../functions/domain/failover-metrics';
import { PROBE_METRICS, PROBE_NAMESPACE } from '../../functions/probe/metrics';
import { exampleConfig, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

/** The operator's dashboard: one per stack, the widgets per group, the failover path's alarms. */

/** The dashboard body with every token replaced by a marker, parsed: what CloudWatch will be given. */
const dashboardBody = (template: Template): { name: string; body: Json; raw: Json } => {
  const found = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Json[];
  expect(found).toHaveLength(1);
  const props = found[0].Properties;
  const parts = props.DashboardBody['Fn::Join'][1] as Json[];
  const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p).replace(/"/g, "'"))).join('');
  return { name: props.DashboardName, body: JSON.parse(text), raw: parts };
};

const metricsOf = (widget: Json): Json[][] => widget.properties.metrics ?? [];
const titled = (body: Json, title: string): Json => {
  const w = body.widgets.find((x: Json) => x.properties.title === title);
  expect(w).toBeDefined();
  return w;
};

const withProbe = () => {
  const c = exampleConfig() as Json;
  c.groups[0].members[0].probeAddress = '10.0.1.10';
  c.groups[0].members[1].probeAddress = '10.0.2.10';
  c.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'] };
  return c;
};

describe('the failover dashboard', () => {
  it(`is named after the stack and has, per group, switched-to \
per member, outcomes, time to switch and EC2 retries`, () => {
    const { template } = synth(exampleConfig());
    const { name, body } = dashboardBody(template);
    expect(name).toBe('Test-failover');

    const to = titled(body, 'onprem-edge: switched to (active member after each switch)');
    expect(metricsOf(to).map((m) => m.slice(0, 6))).toEqual([
      [FAILOVER_NAMESPACE, FAILOVER_METRICS.switchedTo, 'Group', 'onprem-edge', 'Member', 'router-a'],
      [FAILOVER_NAMESPACE, FAILOVER_METRICS.switchedTo, 'Group', 'onprem-edge', 'Member', 'router-b'],
    ]);

    const outcomes = titled(body, 'onprem-edge: executions by outcome');
    expect(outcomes.properties.stacked).toBe(true);
    expect(
      metricsOf(outcomes)
        .map((m) => m[5])
        .sort(),
    ).toEqual(['dry-run', 'failed', 'held', 'noop', 'partial', 'succeeded', 'suppressed']);
    for (const m of metricsOf(outcomes))
      expect(m.slice(0, 4)).toEqual([FAILOVER_NAMESPACE, FAILOVER_METRICS.executions, 'Group', 'onprem-edge']);

    const time = titled(body, 'onprem-edge: time to switch (ms)');
    expect(metricsOf(time).map((m) => [m[1], m[4].stat])).toEqual([
      [FAILOVER_METRICS.switchDuration, 'p50'],
      [FAILOVER_METRICS.switchDuration, 'Maximum'],
    ]);
    const retries = titled(body, 'onprem-edge: EC2 calls retried (throttling, 5xx)');
    expect(metricsOf(retries)[0].slice(0, 4)).toEqual([
      FAILOVER_NAMESPACE,
      FAILOVER_METRICS.ec2CallsRetried,
      'Group',
      'onprem-edge',
    ]);
    // No probe configured: no probe widgets.
    expect(body.widgets.some((w: Json) => /probe/.test(w.properties.title ?? ''))).toBe(false);
  });

  it('shows the failover path alarms and executions failed, timed out and throttled', () => {
    const { template } = synth(exampleConfig());
    const { body } = dashboardBody(template);
    const alarms = titled(body, 'Failover path: alarms');
    expect(alarms.type).toBe('alarm');
    // Every alarm of the stack except the members' status-check alarms (they start the workflow, not a person).
    const pathAlarms = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Json[]).filter(
      (a) => !/-status-check$/.test(a.Properties.AlarmName),
    );
    expect(pathAlarms.length).toBeGreaterThan(10);
    expect(alarms.properties.alarms).toHaveLength(pathAlarms.length);
    const executions = titled(body, 'Failover path: executions failed, timed out, throttled');
    expect(metricsOf(executions).map((m) => m[1])).toEqual([
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionThrottled',
    ]);
  });

  it('with a probe: success and latency per member, and the probe alarms in the alarm widget', () => {
    const { template } = synth(withProbe());
    const { body } = dashboardBody(template);
    const success = titled(body, 'onprem-edge: probe success (share of rounds in which every port answered)');
    expect(metricsOf(success).map((m) => m.slice(0, 6))).toEqual([
      [PROBE_NAMESPACE, PROBE_METRICS.success, 'Group', 'onprem-edge', 'Member', 'router-a'],
      [PROBE_NAMESPACE, PROBE_METRICS.success, 'Group', 'onprem-edge', 'Member', 'router-b'],
    ]);
    const latency = titled(body, 'onprem-edge: probe latency (ms)');
    expect(metricsOf(latency).map((m) => m[1])).toEqual(Array(4).fill(PROBE_METRICS.latency));
    const alarms = JSON.stringify(titled(body, 'Failover path: alarms').properties.alarms);
    expect(alarms).toContain('alarm:Test-onprem-edge-probe-silent');
    expect(alarms).toContain('alarm:Test-onprem-edge-probe-all-members-down');
  });
});
