import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { newHold } from '../../functions/contract/hold';
import { cliHarness, serveExecutions } from './helpers';
import { buildEstate, recordExecution, STATE_MACHINE_ARN } from './recorded';

/** history and history show say "held" for an automatic trigger the maintenance hold stopped. */

it('a held instance event reads as outcome "held" in history, and history show names the hold', async () => {
  const estate = buildEstate();
  const store = new InMemoryGroupStateStore();
  await store.setHold(
    'onprem-edge',
    newHold({
      seconds: 3600,
      by: 'arn:aws:sts::111122223333:assumed-role/NetOps/alice',
      reason: 'firmware CHG-2001',
      now: new Date(),
    }),
  );
  const { routerA } = estate.scenario;
  estate.sim.setInstanceState(routerA.instanceId, 'stopping');
  const stopping = {
    version: '0',
    id: '7d1e0c7e-0000-4000-8000-000000000001',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:000000000000:instance/${routerA.instanceId}`],
    detail: { 'instance-id': routerA.instanceId, state: 'stopping' },
  };
  const x = await recordExecution(estate, stopping, {
    name: '5b2f0c7e-3a1d-4f65-9c1e-2e8b8f0d9a11',
    startAt: new Date('2026-11-25T14:00:00Z'),
    store,
  });
  const h = cliHarness({
    ec2: estate.sim.ec2(),
    files: { 'failover.json': JSON.stringify(estate.scenario.config) },
    env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN },
  });
  serveExecutions(h.mocks.sfn, [x]);

  const list = await h.run(['history', '--config', 'failover.json', '--since', '1d']);
  expect(list.stdout).toMatch(/event +aws\.ec2 .* 0 +held +[0-9.]+ m?s +5b2f0c7e/);

  const show = await h.run(['history', 'show', x.name, '--config', 'failover.json']);
  expect(show.stdout).toMatch(
    new RegExp(
      String.raw`^Held +maintenance hold until \S+, set by ` +
        String.raw`arn:aws:sts::111122223333:assumed-role\/NetOps\/alice: firmware CHG-2001 \(automatic ` +
        String.raw`failover did not run\)$`,
      'm',
    ),
  );
});
