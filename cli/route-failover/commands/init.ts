import { parseConfig } from '../../../functions/contract/config';
import { type CliDeps, CliError, type CommonOptions, EXIT, refuse } from '../context';
import { discoverGroup, groupConfigOf, parseMemberSpecs } from '../discover';
import { plural } from '../format';

export interface InitOptions extends CommonOptions {
  vpcId: string;
  /** --member values: NAME=INSTANCE or NAME (Name tag). */
  members: string[];
  /** Group name; the VPC ID when absent. */
  group?: string;
  /** Member failback returns to; the member the routes point at now when absent. */
  preferred?: string;
  /** --switch-mode: written into the group when given ("routes" is the default when absent). */
  switchMode?: 'routes' | 'associations';
}

/**
 * `init`: reads the members and the VPC's route tables from EC2 and prints a config for one group that the
 * config schema accepts (checked before printing), with the route-table scope found. stdout is always the
 * config JSON, so `route-failover init … > failover.json` works; what was found goes to stderr.
 */
export const init = async (opts: InitOptions, deps: CliDeps): Promise<number> => {
  const specs = parseMemberSpecs(opts.members);
  if (specs.length > 8) throw refuse(`--member: a group has at most 8 members (got ${specs.length})`);
  if (opts.preferred !== undefined && !specs.some((s) => s.name === opts.preferred)) {
    throw refuse(`--preferred ${opts.preferred} is not one of the members (${specs.map((s) => s.name).join(', ')})`);
  }
  const d = await discoverGroup(deps.ec2, opts.vpcId, specs);

  const carrying = d.members.filter((m) => m.routes > 0);
  const preferred = opts.preferred ?? (carrying.length === 1 ? carrying[0].name : undefined);
  if (opts.preferred === undefined && carrying.length > 1) {
    d.warnings.push(
      `routes are split between ${carrying.map((m) => `${m.name} (${m.routes})`).join(' and ')}: no preferred member ` +
        `chosen (--preferred MEMBER)`,
    );
  }
  const input = groupConfigOf(d, { group: opts.group ?? opts.vpcId, preferred, switchMode: opts.switchMode });
  try {
    // The printed config must be one the stack and the functions accept.
    parseConfig(input, 'the generated config');
  } catch (e) {
    throw new CliError(
      `${(e as Error).message}\n(--group must be letters, digits, "-" or "_", 1-63 characters)`,
      EXIT.USAGE,
    );
  }

  deps.err(`Group ${input.groups[0].name} in ${d.vpcId}:`);
  for (const m of d.members) {
    const enis = m.interfaces
      .map((n) => `${n.eni} (${n.networkCardIndex ? `card ${n.networkCardIndex} ` : ''}eth${n.deviceIndex})`)
      .join(', ');
    deps.err(
      `  ${m.name}  ${m.instanceId}  ${m.state}  ${m.availabilityZone ?? '-'}  ${plural(m.routes, 'route')}  ` +
        `${enis || 'no interface'}`,
    );
  }
  deps.err(`  route tables: ${d.tables.length} of ${d.tablesRead} have routes to the members; scope: ${d.scopeReason}`);
  deps.err(
    `  preferred: ${preferred ?? 'none'}${preferred && !opts.preferred ? ' (the member the routes point at now)' : ''}`,
  );
  if (opts.switchMode) deps.err(`  switch mode: ${opts.switchMode}`);
  for (const m of d.members) {
    for (const e of m.elasticIps)
      deps.err(
        `  Elastic IP ${e.publicIp} (${e.allocationId}) on ${m.name} ` +
          `${e.slot} ${e.privateIp}: follows the active member's ${e.slot}`,
      );
  }
  if (d.secondaryPrivateIps.length > 0)
    deps.err(`  secondary private IPs that follow the active member: ${d.secondaryPrivateIps.join(', ')}`);
  for (const w of d.warnings) deps.err(`  warning: ${w}`);
  if (opts.switchMode === 'associations')
    deps.err(
      `  next: route-failover prepare --group ${input.groups[0].name} ` +
        `builds the twin route tables a failover switches to`,
    );
  deps.out(JSON.stringify(input, null, 2));
  return EXIT.OK;
};
