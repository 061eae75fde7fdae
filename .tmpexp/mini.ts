import * as z from 'zod/mini';
import { EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
const Dest = z.object({ kind: z.enum(['ipv4','ipv6','prefix-list']), value: z.string().check(z.minLength(1)) });
const Change = z.object({ routeTableId: z.string(), destination: Dest, fromEni: z.string(), fromMember: z.string(), toEni: z.string(), toMember: z.string(), stateBefore: z.optional(z.string()) });
const Input = z.object({ change: Change, dryRun: z._default(z.boolean(), false) });
const Scope = z.union([z.strictObject({ ids: z.array(z.string().check(z.regex(/^rtb-/))).check(z.minLength(1)) }), z.strictObject({ tag: z.strictObject({ key: z.string(), value: z.string() }) })]);
const R = z.extend(z.object({ a: z.number().check(z.int(), z.minimum(1)), s: Scope, r: z.record(z.string(), z.unknown()), l: z.literal('x') }), { b: z.boolean() });
const ec2 = new EC2Client({});
export const handler = async (e: unknown) => { const r = Input.safeParse(e); if (!r.success) throw new Error(r.error.issues.map(i => i.path.join('.') + i.message).join()); R.safeParse(e); return ec2.send(new ReplaceRouteCommand({ RouteTableId: r.data.change.routeTableId, DestinationCidrBlock: r.data.change.destination.value, NetworkInterfaceId: r.data.change.toEni })); };
