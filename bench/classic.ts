import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  type Instance,
  type RouteTable,
} from '@aws-sdk/client-ec2';

/**
 * The classic failover Lambda the project replaces, as the blog-style scripts write it, for the benchmark
 * to run against the same simulated VPC: on the failing router's event, describe all instances, take the
 * standby's FIRST interface, find the route tables with a route to the failing instance and, for each of
 * those routes in sequence, DeleteRoute then CreateRoute on the standby's interface. IPv4 only, no retry
 * (the Lambda's SDK client is assumed to have retries off, as in those scripts' era: a throttled call is a
 * failed route), no verification, no record. Faithful on purpose, flaws included.
 */

export interface ClassicInput {
  /** The instance that failed (the EventBridge event's detail.instance-id). */
  failedInstanceId: string;
  /** The HA pair's instance IDs (the scripts read them from environment variables or tags). */
  pair: [string, string];
  vpcId: string;
}

export interface ClassicRouteOutcome {
  routeTableId: string;
  destination: string;
  /**
   * 'moved': both calls succeeded; 'delete-failed': the route still points at the failed router;
   * 'create-failed': the route is gone.
   */
  status: 'moved' | 'delete-failed' | 'create-failed';
  error?: string;
}

export interface ClassicResult {
  standbyInstanceId?: string;
  standbyEni?: string;
  routes: ClassicRouteOutcome[];
  /** Set when the function itself died (e.g. its describe call was throttled) before touching routes. */
  error?: string;
}

/** Runs the classic algorithm once; never throws, like a Lambda whose error nobody reads. */
export const classicFailover = async (input: ClassicInput, deps: { ec2: EC2Client }): Promise<ClassicResult> => {
  const { ec2 } = deps;
  let instances: Instance[];
  try {
    // "Describe all instances": one unpaginated call, as the scripts do.
    const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'vpc-id', Values: [input.vpcId] }] }));
    instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  } catch (err) {
    return { routes: [], error: `DescribeInstances: ${(err as Error).name}` };
  }
  const standbyId = input.pair.find((id) => id !== input.failedInstanceId);
  const standby = instances.find((i) => i.InstanceId === standbyId && i.State?.Name === 'running');
  // First ENI only: the scripts ignore device indexes, so an eth1 route lands on eth0.
  const standbyEni = standby?.NetworkInterfaces?.[0]?.NetworkInterfaceId;
  if (!standby || !standbyEni) return { standbyInstanceId: standbyId, routes: [], error: 'standby not running' };

  let tables: RouteTable[];
  try {
    const out = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [input.vpcId] },
          { Name: 'route.instance-id', Values: [input.failedInstanceId] },
        ],
      }),
    );
    tables = out.RouteTables ?? [];
  } catch (err) {
    return {
      standbyInstanceId: standbyId,
      standbyEni,
      routes: [],
      error: `DescribeRouteTables: ${(err as Error).name}`,
    };
  }

  const routes: ClassicRouteOutcome[] = [];
  for (const table of tables) {
    for (const route of table.Routes ?? []) {
      // IPv4 only: IPv6 and prefix-list routes to the failed router are left behind.
      if (route.InstanceId !== input.failedInstanceId || route.DestinationCidrBlock === undefined) continue;
      const routeTableId = table.RouteTableId!;
      const destination = route.DestinationCidrBlock;
      try {
        await ec2.send(new DeleteRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: destination }));
      } catch (err) {
        routes.push({ routeTableId, destination, status: 'delete-failed', error: (err as Error).name });
        continue;
      }
      try {
        await ec2.send(
          new CreateRouteCommand({
            RouteTableId: routeTableId,
            DestinationCidrBlock: destination,
            NetworkInterfaceId: standbyEni,
          }),
        );
        routes.push({ routeTableId, destination, status: 'moved' });
      } catch (err) {
        routes.push({ routeTableId, destination, status: 'create-failed', error: (err as Error).name });
      }
    }
  }
  return { standbyInstanceId: standbyId, standbyEni, routes };
};
