/** How an address item reads in `--plan`, the record and the notification, and the plan's one-line summary. */
import type { AuditAddress, AuditAddresses } from '../../contract/address-schemas';
import type { AddressItem } from './model';
import type { AddressPlan } from './plan';

const where = (p: AddressItem['from']): string =>
  p ? `${p.member ?? p.instanceId ?? 'outside the group'} ${p.eni} ${p.privateIp}` : 'nothing';

/**
 * "Elastic IP 203.0.113.10 (eipalloc-…) eth1: router-a eni-… 10.0.1.11 → router-b eni-… 10.0.2.11", plus its status.
 */
export const renderAddressItem = (i: AddressItem): string => {
  const what = i.kind === 'elastic-ip' ? `Elastic IP ${i.publicIp ?? '?'} (${i.id})` : `secondary IP ${i.id}`;
  const move = `${where(i.from)} → ${i.to ? where(i.to) : '?'}`;
  const how = i.action === 'with-secondary' ? ` (moves with ${i.carriedBy})` : '';
  if (i.status === 'cannot-move') return `${what} ${i.slot}: cannot move (${i.reason}): ${i.problem}`;
  if (i.status === 'noop') return `${what} ${i.slot}: already on ${where(i.to)}`;
  return `${what} ${i.slot}: ${move}${how}`;
};

/** "2 address(es) to move, 1 already in place, 1 cannot move (1 blocking)". */
export const summarizeAddressPlan = (p: AddressPlan): string =>
  `${p.moves} address(es) to move, ${p.noops} already in place` +
  (p.cannotMove.length > 0
    ? `, ${p.cannotMove.length} cannot move${p.blocking.length > 0 ? ` (${p.blocking.length} refuse the run)` : ''}`
    : '');

/** The EC2 writes the plan needs, by action (the paced writer's keys): AssociateAddress, AssignPrivateIpAddresses. */
export const addressWriteCounts = (
  p: AddressPlan,
): Record<'AssociateAddress' | 'AssignPrivateIpAddresses', number> => ({
  AssociateAddress: p.items.filter((i) => i.status === 'move' && i.action === 'associate').length,
  AssignPrivateIpAddresses: p.items.filter((i) => i.status === 'move' && i.action === 'assign').length,
});

/** "203.0.113.10 (eipalloc-…)" or the secondary IP. */
const labelOf = (a: AuditAddress): string =>
  a.kind === 'elastic-ip' ? `${a.publicIp ?? '?'} (${a.id})` : `secondary ${a.id}`;
const placeOf = (p: { eni: string; privateIp: string; member?: string } | null | undefined): string =>
  p === undefined ? '?' : p === null ? 'nothing' : `${p.member ? `${p.member} ` : ''}${p.eni} ${p.privateIp}`;

/** The addresses' lines of the notification and `history show`: one row each, before → after, calls, time to switch. */
export const addressRecordLines = (a: AuditAddresses): string[] => {
  const rows = a.list.map((x) => [
    x.status,
    labelOf(x),
    x.slot,
    placeOf(x.before),
    placeOf(x.after),
    x.verified === undefined ? '-' : x.verified ? 'yes' : 'NO',
    x.attempts === undefined ? '-' : String(x.attempts),
    x.timeToSwitchMs === undefined ? '-' : `${(x.timeToSwitchMs / 1000).toFixed(1)} s`,
  ]);
  const widths = rows[0]?.map((_, i) => Math.max(...[ADDRESS_HEADERS, ...rows].map((r) => r[i].length))) ?? [];
  const line = (r: string[]) => `  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [
    '',
    `Addresses:  ${a.planned} planned, ${a.moved} moved, ${a.alreadyOnTarget} ` +
      `already on the target, ${a.cannotMove} left where they are` +
      (a.timeToSwitchMaxMs !== undefined
        ? `; moved within ${(a.timeToSwitchMaxMs / 1000).toFixed(1)} s of the start`
        : ''),
    ...(rows.length > 0 ? [line(ADDRESS_HEADERS), ...rows.map(line)] : []),
    ...a.list.filter((x) => x.problem).map((x) => `  ${labelOf(x)}: ${x.problem}`),
    ...(a.invariant ? [`  ${a.invariant}`] : []),
  ];
};

const ADDRESS_HEADERS = ['STATUS', 'ADDRESS', 'SLOT', 'BEFORE', 'AFTER', 'VERIFIED', 'CALLS', 'SWITCHED'];

/** The addresses' part of `--plan`: the summary, then one line per address (renderAddressItem). */
export const addressPlanLines = (p: { summary: string; items: AddressItem[] }, indent = '  '): string[] => [
  `${indent}addresses: ${p.summary}`,
  ...p.items.map((i) => `${indent}  ${renderAddressItem(i)}`),
];
