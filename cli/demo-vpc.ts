import { parseConfig } from '../functions/contract/config';
import { SimulatedVpc, type SimulatedVpcOptions } from '../sim';
import type { RouterEstate } from './local/scenario';

/** A switch mode of the demo (addresses ride on either: the address part runs in the routes mode). */
export type DemoMode = 'routes' | 'associations';

/**
 * The simulated VPC, estate, config and SNS topic a part of the demo runs on, by switch mode: the routes mode
 * on the reference router pair (three tables), the associations mode on the same pair with subnets, a gateway
 * table, and twins to build (two tables), the address part on a VPN pair whose group lists its Elastic IPs.
 */
export const demoVpc = <E extends RouterEstate>(
  mode: DemoMode,
  seed: number,
  build: (sim: SimulatedVpc) => E,
  options: SimulatedVpcOptions = {},
) => {
  const sim = new SimulatedVpc({ seed, ...options });
  const estate = build(sim);
  const config = parseConfig(estate.config, mode === 'routes' ? 'demo config' : `demo config (${mode} mode)`);
  return { sim, estate, config, group: config.groups[0], topicArn: sim.createTopic('route-failover') };
};
