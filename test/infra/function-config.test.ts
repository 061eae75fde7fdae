import { parseConfig, parseConfigJson, type FailoverConfigInput } from '../../functions/contract/config';
import { workflowFunctionConfig } from '../../infra/function-config';
import { exampleConfig, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const EMAILS = ['noc@example.com', 'netops@example.org'];
const PROBE_ADDRESSES = ['10.0.1.10', '10.0.2.10'];

/** Everything a config can hold that some function must not see: e-mails, probe settings and addresses, sizing. */
const fullConfig = (): FailoverConfigInput => {
  const raw = exampleConfig();
  raw.notifications = { emails: EMAILS };
  raw.reservedConcurrency = { simultaneousExecutions: 2, accountConcurrency: 1000 };
  raw.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef0'], ports: [179, 22] };
  raw.groups[0].members.forEach((m, i) => {
    m.probeAddress = PROBE_ADDRESSES[i];
  });
  raw.groups[0].autoFailback = { holdDownSeconds: 120 };
  return raw;
};

const functionsOf = (template: Json): { description: string; variables: Record<string, unknown> }[] =>
  Object.values(template.findResources('AWS::Lambda::Function')).map((fn: Json) => ({
    description: fn.Properties.Description,
    variables: fn.Properties.Environment?.Variables ?? {},
  }));

describe('config in the functions: each gets only what it uses', () => {
  it('puts no notification e-mail address in the environment of any function', () => {
    const { template } = synth(fullConfig());
    const functions = functionsOf(template);
    expect(functions).toHaveLength(11); // eight Tasks, the inventory refresh, the probe and the route guard
    for (const fn of functions) {
      const env = JSON.stringify(fn.variables);
      for (const email of EMAILS)
        expect({ fn: fn.description, leaks: env.includes(email) }).toEqual({ fn: fn.description, leaks: false });
      expect(env).not.toMatch(/"emails"/);
    }
    // They are on the topic, where they belong.
    for (const email of EMAILS)
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email });
  });

  it('gives the probe settings and addresses to the probe function only', () => {
    const { template } = synth(fullConfig());
    for (const fn of functionsOf(template)) {
      const env = JSON.stringify(fn.variables);
      const isProbe = /^Health probe/.test(fn.description);
      expect({ fn: fn.description, addresses: PROBE_ADDRESSES.some((a) => env.includes(a)) }).toEqual({
        fn: fn.description,
        addresses: isProbe,
      });
      if (!isProbe) expect(env).not.toMatch(/subnet-|reservedConcurrency/);
    }
  });

  it('passes the workflow functions a config that parses with the one schema, to the same groups', () => {
    const { template } = synth(fullConfig());
    const withConfig = functionsOf(template).filter((fn) => typeof fn.variables.FAILOVER_CONFIG === 'string');
    // Notify: group and member names, to report a run that failed early under its group.
    expect(withConfig.map((fn) => fn.description).sort()).toEqual([
      'Builds the audit record and publishes it to SNS',
      'Evaluates the route-table invariant between failovers; reports ' +
        'findings, optionally starts a switchover (never writes a route)',
      'Event or manual request -> group, failing and target members, paired interfaces',
      'One batch of the plan: ReplaceRoute onto the paired interfaces, or ReplaceRouteTableAssociation onto the ' +
        "target's true twin, paced account-wide per EC2 action (idempotent)",
      "Stores each member's interface map (slot, ENI, subnet, AZ) for failovers of routers that are gone",
      "Takes the group's lease (conditional write) before anything is resolved or planned",
      "The group's priority routes first: the tables the guard's " +
        'armed plan names, read fresh, written by the paced route writer',
    ]);
    const full = parseConfig(fullConfig());
    for (const fn of withConfig) {
      const parsed = parseConfigJson(fn.variables.FAILOVER_CONFIG as string, 'FAILOVER_CONFIG');
      expect(parsed).toEqual(parseConfig(workflowFunctionConfig(full)));
      // Everything the workflow reads is there, unchanged.
      const [group] = parsed.groups;
      expect(group).toMatchObject({
        name: 'onprem-edge',
        vpcId: full.groups[0].vpcId,
        preferred: 'router-a',
        maxConcurrency: 10,
        autoFailback: { holdDownSeconds: 120 },
        flapDamping: full.groups[0].flapDamping,
        statusCheckAlarm: full.groups[0].statusCheckAlarm,
      });
      expect(group.members).toEqual(full.groups[0].members.map(({ name, instanceId }) => ({ name, instanceId })));
      expect(group.probe).toBeUndefined();
      expect(parsed.notifications).toEqual({ emails: [] });
      expect(parsed.reservedConcurrency).toBeUndefined();
    }
  });
});
