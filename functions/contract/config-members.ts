/** A group's members and the addresses that follow the active one (the config's member and address fields). */
import * as z from './zod';
import { ALLOCATION_ID, AVAILABILITY_ZONE, EIGHT_OR_17, INSTANCE_ID, IPV4, NAME, SLOT, SLOT_TEXT } from './config-ids';

export const MemberSchema = z.lazy(() =>
  z.strictObject({
    name: z
      .string()
      .check(
        z.regex(NAME, 'letters, digits, "-" or "_", 1-63 characters'),
        z.describe(
          "The member's name in requests, notifications, alarms " +
            'and the CLI: letters, digits, "-" or "_", 1-63 characters.',
        ),
      ),
    instanceId: z
      .string()
      .check(
        z.regex(INSTANCE_ID, `an EC2 instance ID ("i-" and ${EIGHT_OR_17}) such as i-0123456789abcdef0`),
        z.describe(
          'The router\'s EC2 instance ID ("i-" and 8 or 17 hex digits). Its interfaces are read from EC2 at run time ' +
            "and paired with the other members' by slot (eth0 with " +
            'eth0, eth1 with eth1). An instance belongs to one group only.',
        ),
      ),
    /** Address the health probe connects to; the instance's primary private IPv4 address when absent. */
    probeAddress: z
      .optional(z.string().check(z.regex(IPV4, 'an IPv4 address')))
      .check(
        z.describe(
          "The IPv4 address the health probe connects to. Required when the group's probe is enabled: the probe's " +
            'security group allows egress to exactly these addresses.',
        ),
      ),
    /**
     * The member's Availability Zone, when known at synth time (`init` writes it): with it, a secondary private
     * IP that would have to cross zones is refused here rather than at the first run.
     */
    availabilityZone: z
      .optional(z.string().check(z.regex(AVAILABILITY_ZONE, 'an Availability Zone such as us-east-1a')))
      .check(
        z.describe(
          "The member's Availability Zone (init writes it). With it, a secondary private IP that would have to cross " +
            'zones is refused at synth.',
        ),
      ),
  }),
);

/**
 * The Elastic IPs that follow the active member: allocation IDs (each follows the slot of the interface it is on,
 * or the slot given), or a tag that selects them (each follows the slot it is on). See docs/addresses.md.
 */
export const ElasticIpsSchema = z.lazy(() =>
  z.union([
    z
      .array(
        z.union([
          z
            .string()
            .check(
              z.regex(
                ALLOCATION_ID,
                `an Elastic IP allocation ID ("eipalloc-" and ${EIGHT_OR_17}) such as eipalloc-0123456789abcdef0`,
              ),
            ),
          z.strictObject({
            allocationId: z
              .string()
              .check(
                z.regex(
                  ALLOCATION_ID,
                  `an Elastic IP allocation ID ("eipalloc-" and ${EIGHT_OR_17}) such as eipalloc-0123456789abcdef0`,
                ),
                z.describe('The Elastic IP\'s allocation ID ("eipalloc-" and 8 or 17 hex digits).'),
              ),
            slot: z
              .optional(z.string().check(z.regex(SLOT, SLOT_TEXT)))
              .check(
                z.describe(
                  "The target's interface slot the address goes to " +
                    '("eth0" to "eth15"); absent: the slot it is on now.',
                ),
              ),
          }),
        ]),
      )
      .check(z.minLength(1), z.maxLength(64)),
    z.strictObject({
      tag: z
        .strictObject({
          key: z.string().check(z.minLength(1), z.maxLength(128), z.describe('Tag key.')),
          value: z.string().check(z.maxLength(256), z.describe('Tag value.')),
        })
        .check(z.describe('Every Elastic IP of the account and region that carries this tag.')),
    }),
  ]),
);

/** Secondary private IPv4 addresses that follow the active member (only within one subnet: see the group's check). */
export const SecondaryPrivateIpsSchema = z.lazy(() =>
  z
    .array(
      z.union([
        z.string().check(z.regex(IPV4, 'an IPv4 address such as 10.0.1.100')),
        z.strictObject({
          ip: z
            .string()
            .check(
              z.regex(IPV4, 'an IPv4 address such as 10.0.1.100'),
              z.describe('The secondary private IPv4 address.'),
            ),
          slot: z
            .optional(z.string().check(z.regex(SLOT, SLOT_TEXT)))
            .check(
              z.describe(
                'The target\'s interface slot the address goes to ("eth0" to "eth15"); absent: the slot it is on now.',
              ),
            ),
        }),
      ]),
    )
    .check(z.minLength(1), z.maxLength(64)),
);
export type ElasticIpsConfig = z.infer<typeof ElasticIpsSchema>;
export type SecondaryPrivateIpsConfig = z.infer<typeof SecondaryPrivateIpsSchema>;

/**
 * What the config alone says is wrong with a group's addresses: the same address twice, and a secondary private IP
 * in a group whose members are known to be in different Availability Zones (a secondary IP moves only within its
 * subnet, and a subnet is in one zone: CrossZoneSecondaryIp). Without zones in the config, `init` names the problem
 * and every run refuses it before anything moves (functions/domain/addresses).
 */
export const addressIssues = (g: {
  name: string;
  members: Array<{ name: string; availabilityZone?: string }>;
  elasticIps?: ElasticIpsConfig;
  secondaryPrivateIps?: SecondaryPrivateIpsConfig;
}): Array<{ path: PropertyKey[]; message: string }> => {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const seen = new Set<string>();
  if (Array.isArray(g.elasticIps)) {
    g.elasticIps.forEach((e, i) => {
      const id = typeof e === 'string' ? e : e.allocationId;
      if (seen.has(id)) issues.push({ path: ['elasticIps', i], message: `Elastic IP ${id} is listed twice` });
      seen.add(id);
    });
  }
  const ips = new Set<string>();
  (g.secondaryPrivateIps ?? []).forEach((e, i) => {
    const ip = typeof e === 'string' ? e : e.ip;
    if (ips.has(ip))
      issues.push({ path: ['secondaryPrivateIps', i], message: `secondary private IP ${ip} is listed twice` });
    ips.add(ip);
  });
  const zones = new Map(g.members.filter((m) => m.availabilityZone).map((m) => [m.name, m.availabilityZone!]));
  if (g.secondaryPrivateIps && new Set(zones.values()).size > 1) {
    issues.push({
      path: ['secondaryPrivateIps'],
      message:
        `CrossZoneSecondaryIp: a secondary private IP moves only ` +
        `between interfaces of one subnet, and a subnet is in one ` +
        `Availability Zone; group "${g.name}" spans ${[...zones].map(([m, z]) => `${m} ${z}`).join(', ')}. ` +
        'Move an Elastic IP instead (elasticIps), or route to the interface, or keep such members in one zone',
    });
  }
  return issues;
};
