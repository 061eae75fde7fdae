/** How an address item reads in `--plan`, the record and the notification, and the plan's one-line summary. */
import type { AddressItem } from './model';
import type { AddressPlan } from './plan';

const where = (p: AddressItem['from']): string =>
  p ? `${p.member ?? p.instanceId ?? 'outside the group'} ${p.eni} ${p.privateIp}` : 'nothing';

/** "Elastic IP 203.0.113.10 (eipalloc-…) eth1: router-a eni-… 10.0.1.11 → router-b eni-… 10.0.2.11", plus its status. */
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
