import { answeringWarmUp, isWarmUp, WARM_UP_EVENT } from '../../functions/contract/warm-up';

/** The warm-up event: answered at once, never mistaken for a Task's input (and no Task input taken for it). */
describe('warm-up', () => {
  it('answers the warm-up without calling the handler, and passes anything else on', async () => {
    const calls: unknown[] = [];
    const handler = answeringWarmUp(async (e: unknown) => {
      calls.push(e);
      return 'done';
    });
    await expect(handler({ ...WARM_UP_EVENT })).resolves.toEqual({ warm: true });
    await expect(handler({ event: { source: 'aws.ec2' } })).resolves.toBe('done');
    expect(calls).toEqual([{ event: { source: 'aws.ec2' } }]);
  });

  it('is exactly that shape: an extra field, another value or no object is a normal event', () => {
    expect(isWarmUp(WARM_UP_EVENT)).toBe(true);
    for (const e of [{ warmUp: 'x' }, { ...WARM_UP_EVENT, group: 'g' }, null, 'warmUp', [], {}])
      expect(isWarmUp(e)).toBe(false);
  });
});
