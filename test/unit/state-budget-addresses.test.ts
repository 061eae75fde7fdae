import { estimateLargestState } from '../../functions/plan-switch/state-budget';
import type { FailoverState, Plan } from '../../functions/contract/schemas';
import type { AddressItemState } from '../../functions/contract/address-schemas';
import { planWith, resolvedState } from './fixtures';

/** The state budget counts the addresses: their plan and batches exactly, their results and read-back at most. */

const state = (): FailoverState => ({ ...resolvedState(), maxConcurrency: 20 }) as FailoverState;
const eip = (i: number): AddressItemState => ({
  kind: 'elastic-ip',
  id: `eipalloc-${(0x1000000000000 + i).toString(16).padStart(17, '0')}`,
  publicIp: `203.0.113.${i}`,
  slot: 'eth0',
  from: { eni: 'eni-0aaaaaaaaaaaaaaaa', privateIp: '10.0.1.10', member: 'router-a', instanceId: 'i-0aaaaaaaaaaaaaaaa' },
  to: { eni: 'eni-0bbbbbbbbbbbbbbbb', privateIp: '10.0.2.10', member: 'router-b', instanceId: 'i-0bbbbbbbbbbbbbbbb' },
  action: 'associate',
  status: 'move',
});
const withEips = (n: number): Plan => {
  const items = Array.from({ length: n }, (_, i) => eip(i));
  return planWith([], {
    addresses: { target: 'router-b', items, moves: n, noops: 0, cannotMove: 0, summary: `${n} to move` },
    batches: [{ id: 0, action: 'AssociateAddress', target: 'router-b', addresses: items }],
  } as Partial<Plan>);
};

it('grows with each address by its plan line, its batch line and at most its result and read-back', () => {
  const none = estimateLargestState(state(), planWith([]));
  const one = estimateLargestState(state(), withEips(1));
  const many = estimateLargestState(state(), withEips(64));
  const perAddress = (many.bytes - one.bytes) / 63;
  // Plan and batch lines (~2 x 350 bytes) plus the bounded result, read-back and finding texts.
  expect(perAddress).toBeGreaterThan(1000);
  expect(one.bytes - none.bytes).toBeGreaterThan(perAddress);
  expect(many.plan - one.plan).toBeGreaterThan(63 * 600);
});
