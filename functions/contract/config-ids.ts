/** The ID formats and names the config checks, shared by its sections. */

export const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
// EC2 resource IDs are the prefix and 8 hex digits (older resources) or 17 (since 2016-2018); no other length.
export const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const ROUTE_TABLE_ID = /^rtb-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const ALLOCATION_ID = /^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const EIGHT_OR_17 = '8 or 17 hex digits';

export const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z0-9]+)+[a-z]$/;
export const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** An interface slot as a network engineer names it: eth0, eth1… (device index on network card 0). */
export const SLOT = /^eth([0-9]|1[0-5])$/;
export const SLOT_TEXT = 'an interface slot "eth0" to "eth15" (the device index on network card 0)';
