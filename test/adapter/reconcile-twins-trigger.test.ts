import * as fs from 'node:fs';
import * as path from 'node:path';
import { handleTwinsEvent, SCHEDULE_SOURCE, triggerOf } from '../../functions/reconcile-twins/trigger';
import { InvalidRequestError } from '../../functions/contract/errors';
import { GROUP, IDS } from '../unit/fixtures';
import { associationsConfig, emptyStore, eni, fakeEc2, localRoute, VGW } from './twins-ec2';

const ORIG = IDS.rtbPrivateA;
const fixture = () =>
  JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/cloudtrail-create-route.json'), 'utf8'));

/** The CloudTrail event EventBridge delivers for one EC2 call (the fixture's envelope, another call inside). */
const cloudTrail = (eventName: string, requestParameters: Record<string, unknown> | null) => {
  const e = fixture();
  e.detail.eventName = eventName;
  e.detail.requestParameters = requestParameters;
  return e;
};

const estate = () => {
  const f = fakeEc2();
  f.addTable({
    RouteTableId: ORIG,
    Routes: [localRoute(), eni('192.168.0.0/16', IDS.eniA0)],
    PropagatingVgws: [{ GatewayId: VGW }],
  });
  const deps = {
    ec2: f.ec2,
    config: associationsConfig(),
    store: emptyStore(),
    now: () => new Date('2026-11-25T14:31:10Z'),
    sleep: async () => undefined,
  };
  return { f, deps };
};

describe('reconcile-twins triggers', () => {
  it(`the CloudTrail CreateRoute of a hand edit to an original \
reconciles that original: the twin gets the route`, async () => {
    const { f, deps } = estate();
    await handleTwinsEvent({ source: SCHEDULE_SOURCE }, deps);
    const mark = f.writes().length;
    const twin = [...f.tables.keys()].find((k) => k !== ORIG)!;
    // What the fixture records: aws ec2 create-route --route-table-id ORIG --destination-cidr-block 10.50.0.0/16
    // --network-interface-id eniA1
    f.tables.get(ORIG)!.Routes!.push(eni('10.50.0.0/16', IDS.eniA1));

    const r = await handleTwinsEvent(fixture(), deps);

    expect(r.trigger).toBe('CloudTrail CreateRoute');
    expect(r.why).toBe(`${ORIG} is in the scope of ${GROUP}`);
    expect(f.writes().slice(mark)).toEqual([
      {
        command: 'CreateRoute',
        input: { RouteTableId: twin, DestinationCidrBlock: '10.50.0.0/16', NetworkInterfaceId: IDS.eniB1 },
      },
    ]);
  });

  it("converges: the CloudTrail events of the reconcile's own writes start passes that write nothing", async () => {
    const { f, deps } = estate();
    await handleTwinsEvent({ source: SCHEDULE_SOURCE }, deps);
    const own = f.writes().map((w) => ({ ...w }));
    expect(own.map((w) => w.command)).toEqual(['CreateRouteTable', 'CreateRoute', 'EnableVgwRoutePropagation']);

    for (const w of own) {
      const params =
        w.command === 'CreateRouteTable' ? { vpcId: w.input.VpcId } : { routeTableId: w.input.RouteTableId };
      const r = await handleTwinsEvent(cloudTrail(w.command, params), deps);
      expect(r.report.writes).toBe(0);
    }
    expect(f.writes()).toHaveLength(own.length);
  });

  it('an event on a twin reconciles its original only', async () => {
    const { f, deps } = estate();
    await handleTwinsEvent({ source: SCHEDULE_SOURCE }, deps);
    const twin = [...f.tables.keys()].find((k) => k !== ORIG)!;

    const t = await triggerOf(
      cloudTrail('DeleteRoute', { routeTableId: twin, destinationCidrBlock: '192.168.0.0/16' }),
      deps,
    );

    expect(t.input).toEqual({ groups: [GROUP], routeTableIds: [ORIG] });
  });

  it(`a table that is gone, or an event without a table, reconciles \
every associations-mode group; one out of every scope, none`, async () => {
    const { f, deps } = estate();
    f.addTable({ RouteTableId: IDS.rtbPublic, VpcId: IDS.otherVpc });

    expect(
      (await triggerOf(cloudTrail('DeleteRouteTable', { routeTableId: 'rtb-0deadbeefdeadbeef' }), deps)).input,
    ).toEqual({ groups: [GROUP] });
    expect(
      (await triggerOf(cloudTrail('DisassociateRouteTable', { associationId: 'rtbassoc-0a1a1a1a1a1a1a1a1' }), deps))
        .input,
    ).toEqual({ groups: [GROUP] });
    expect((await triggerOf(cloudTrail('CreateRoute', { routeTableId: IDS.rtbPublic }), deps)).input).toEqual({
      groups: [],
    });
    expect((await triggerOf(cloudTrail('CreateRouteTable', { vpcId: IDS.otherVpc }), deps)).input).toEqual({
      groups: [],
    });
  });

  it('an event that is neither the schedule nor a route-table call is a named error', async () => {
    const { deps } = estate();

    await expect(triggerOf(cloudTrail('RunInstances', {}), deps)).rejects.toThrow(InvalidRequestError);
    await expect(triggerOf({ source: 'aws.events' }, deps)).rejects.toThrow(InvalidRequestError);
  });
});
