import { EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { errorCode, isThrottling, isTransient } from '../shared/aws-errors';
import { Ec2ThrottledError, Ec2TransientError, RouteReplaceError } from '../shared/errors';
import { destinationParams } from '../shared/routes';
import { ReplaceInput, ReplaceInputSchema, RouteResult } from '../shared/schemas';

export { ReplaceInputSchema };

export interface ReplaceRouteDeps {
  ec2: EC2Client;
  now?: () => Date;
}

/**
 * Points one route at its new interface with ReplaceRoute (never DeleteRoute + CreateRoute, so the route
 * exists at every instant). Idempotent: replacing with the target it already has succeeds unchanged.
 * A route or table that vanished meanwhile is reported as `vanished`, never re-created. With dryRun,
 * EC2 checks permissions and parameters and changes nothing. Throttling and 5xx throw transient errors
 * for the state machine to retry; anything else throws RouteReplaceError.
 */
export const replaceRoute = async (input: ReplaceInput, deps: ReplaceRouteDeps): Promise<RouteResult> => {
  const now = deps.now ?? (() => new Date());
  const { change, dryRun } = input;
  const where = `${change.routeTableId} ${change.destination.value} → ${change.toEni}`;
  try {
    const out = await deps.ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: change.routeTableId,
        ...destinationParams(change.destination),
        NetworkInterfaceId: change.toEni,
        DryRun: dryRun,
      }),
    );
    return { change, status: 'replaced', attempts: out.$metadata.attempts ?? 1, at: now().toISOString() };
  } catch (err) {
    const code = errorCode(err);
    const message = (err as Error)?.message ?? String(err);
    const attempts = (err as { $metadata?: { attempts?: number } })?.$metadata?.attempts ?? 1;
    if (code === 'DryRunOperation') {
      return { change, status: 'dry-run', attempts, at: now().toISOString(), detail: 'EC2 accepted the request (DryRun)' };
    }
    if (isVanished(code, message)) {
      return { change, status: 'vanished', attempts, at: now().toISOString(), detail: `${code}: ${message}` };
    }
    if (isThrottling(err)) throw new Ec2ThrottledError(`ReplaceRoute ${where}: ${code}: ${message}`, { cause: err });
    if (isTransient(err)) throw new Ec2TransientError(`ReplaceRoute ${where}: ${code}: ${message}`, { cause: err });
    throw new RouteReplaceError(`ReplaceRoute ${where}: ${code}: ${message}`, { cause: err });
  }
};

// ReplaceRoute on a missing route answers InvalidParameterValue "There is no route defined for …"
// (DeleteRoute's InvalidRoute.NotFound is listed for safety); a deleted table is InvalidRouteTableID.NotFound.
const isVanished = (code: string, message: string): boolean =>
  code === 'InvalidRouteTableID.NotFound' ||
  code === 'InvalidRoute.NotFound' ||
  (code === 'InvalidParameterValue' && /no route defined/i.test(message));
