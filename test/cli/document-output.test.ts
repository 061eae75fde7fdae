import * as path from 'node:path';
import { parseConfigJson } from '../../functions/contract/config';
import { startQueryEndpoint, type QueryEndpoint } from '../../sim/query-endpoint';
import { SimulatedVpc } from '../../sim';
import { ROOT, runCommand, runPipedSlowReader } from './spawn';

/**
 * route-failover as a shell runs it (cli/bin/route-failover.js, real SDK clients) against the simulated VPC
 * served over HTTP (AWS Query protocol): a document larger than a pipe's 64 KiB arrives whole and the exit
 * code is the command's, even when the reader is slow.
 */

const BIN = path.join(ROOT, 'cli', 'bin', 'route-failover.js');
let endpoint: QueryEndpoint | undefined;

afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

it('init with 2,500 route tables prints a config of more than 64 KiB on a pipe, whole', async () => {
  const sim = new SimulatedVpc({ seed: 2 });
  const vpcId = sim.addVpc({ cidr: '10.0.0.0/16' });
  const a = sim.addInstance({ vpcId, availabilityZone: 'us-east-1a' });
  const b = sim.addInstance({ vpcId, availabilityZone: 'us-east-1b' });
  const eniA = sim.addNetworkInterface({ vpcId, instanceId: a, deviceIndex: 0, sourceDestCheck: false });
  sim.addNetworkInterface({ vpcId, instanceId: b, deviceIndex: 0, sourceDestCheck: false });
  // No tag shared by exactly these tables, so the scope is the list of their IDs: a large document.
  const tables = Array.from({ length: 2500 }, () => {
    const rtb = sim.addRouteTable({ vpcId });
    sim.addRoute(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: eniA });
    return rtb;
  });
  endpoint = await startQueryEndpoint(sim);

  const r = await runPipedSlowReader(
    'node',
    [BIN, 'init', '--vpc', vpcId, '--member', `router-a=${a}`, '--member', `router-b=${b}`],
    'route tables: ',
    {
      AWS_ENDPOINT_URL_EC2: endpoint.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
  );

  expect({ code: r.code, stderr: r.stderr }).toEqual({
    code: 0,
    stderr: expect.stringContaining('route tables: 2500 of 2500 have routes to the members'),
  });
  expect(Buffer.byteLength(r.stdout)).toBeGreaterThan(64 * 1024);
  const config = parseConfigJson(r.stdout, 'init output');
  expect(config.groups[0].routeTables).toEqual({ ids: [...tables].sort() });
}, 120_000);

it(`no region anywhere (empty variables count as unset): \
exit 2 with one line saying where a region comes from`, async () => {
  const r = await runCommand('node', [BIN, 'status', '--config', 'examples/failover.json'], {
    env: {
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: path.join(ROOT, 'no-such-config'),
    },
  });
  expect(r).toEqual({
    code: 2,
    stdout: '',
    stderr:
      'route-failover: no AWS region: pass --region, set AWS_REGION or AWS_DEFAULT_REGION, or set "region" in your ' +
      'profile (aws configure)\n',
  });
}, 60_000);
