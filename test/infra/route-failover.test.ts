import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../functions/contract/errors';
import { parseConfig } from '../../functions/contract/config';
import { FailoverStack } from '../../infra/failover-stack';
import { flatLogicalId, isInGrouping } from '../../infra/logical-ids';
import { RouteFailover } from '../../infra/route-failover';
import { TASK_FUNCTIONS } from '../../infra/constructs/task-functions';
import { createApp, exampleConfig, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const elementsOf = (stack: Stack): CfnElement[] =>
  stack.node
    .findAll()
    .filter((c): c is CfnElement => (c as CfnElement).logicalId !== undefined && Stack.of(c) === stack);

describe('FailoverStack logical IDs', () => {
  it(`keep the IDs a stack deployed before the constructs has: \
the retained table, keys and log groups, the named topic`, () => {
    const { template } = synth(exampleConfig());
    const ids = Object.keys(template.toJSON().Resources);
    // Computed by CDK for these resources when they sat directly in the stack (named "Test" or any other name).
    for (const id of [
      'TopicKeyB2E0C9CB',
      'TopicBFC7AF6E',
      'GroupStateKey9BC472C2',
      'GroupStateTableD54496B5',
      'StateMachine2E01A3A5',
      'StateMachineLogs3CB16D3C',
      'NotifyLogsB4CE6B4B',
      'GuardFunctionLogs1C2657E3',
      'InventoryRefreshFunctionLogs41622BF7',
      'Dashboard9E4231ED',
      'TriggerDeadLetterQueueFD4EB023',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it(`compute outside the grouping constructs exactly what \
CDK computes (the algorithm is CDK's own, rewritten)`, () => {
    const { stack } = synth(exampleConfig());
    const outside = elementsOf(stack).filter((e) => !isInGrouping(e));
    expect(outside.length).toBeGreaterThan(20);
    const plain = new Stack(new App(), 'Plain');
    for (const element of outside) expect(flatLogicalId(element)).toBe(plain.getLogicalId(element));
  });
});

describe('RouteFailover in any stack', () => {
  it('synthesizes in a plain stack, with the outputs the CLI reads under their fixed keys', () => {
    const app = createApp({ nag: false });
    const stack = new Stack(app, 'Mine');
    const failover = new RouteFailover(stack, 'Failover', exampleConfig());
    const template = Template.fromStack(stack);
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual([
      'GroupStateTable',
      'GuardFunctionName',
      'Region',
      'StateMachineArn',
      'TopicArn',
    ]);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    expect(Object.keys(failover.functions)).toEqual(Object.keys(TASK_FUNCTIONS));
    expect(stack.resolve(failover.groupStateTable.tableName)).toEqual({
      Ref: expect.stringMatching(/^FailoverGroupStateGroupStateTable/),
    });
    expect(failover.alarms.length).toBeGreaterThan(0);
    expect(failover.dashboard).toBeDefined();
  });

  it('the same resources as FailoverStack, under CDK usual IDs', () => {
    const app = createApp({ nag: false });
    const mine = Template.fromStack(
      new RouteFailover(new Stack(app, 'Test'), 'Failover', exampleConfig()).node.scope as Stack,
    ).toJSON();
    const ours = synth(exampleConfig(), { nag: false }).template.toJSON();
    const types = (t: Json) =>
      Object.values(t.Resources as Record<string, Json>)
        .map((r) => r.Type)
        .sort();
    expect(types(mine)).toEqual(types(ours));
  });

  it('validates its props with the config schema: a ConfigError naming the field', () => {
    const raw = exampleConfig();
    raw.groups[0].members[0].instanceId = 'i-nothex';
    const stack = new Stack(new App(), 'Mine');
    expect(() => new RouteFailover(stack, 'Failover', raw)).toThrow(ConfigError);
    expect(() => new RouteFailover(new Stack(new App(), 'M'), 'F', raw)).toThrow(
      /groups\[0\]\.members\[0\]\.instanceId/,
    );
  });

  it('refuses a second RouteFailover in the same stack (physical names start with the stack name)', () => {
    const stack = new Stack(createApp({ nag: false }), 'Mine');
    new RouteFailover(stack, 'One', exampleConfig());
    expect(() => new RouteFailover(stack, 'Two', exampleConfig())).toThrow(/already holds a RouteFailover/);
  });

  it('FailoverStack accepts the parsed config as well as the raw one', () => {
    const a = Template.fromStack(
      new FailoverStack(createApp({ nag: false }), 'A', { config: exampleConfig() }),
    ).toJSON();
    const b = Template.fromStack(
      new FailoverStack(createApp({ nag: false }), 'A', { config: parseConfig(exampleConfig()) }),
    ).toJSON();
    expect(a).toEqual(b);
  });
});
