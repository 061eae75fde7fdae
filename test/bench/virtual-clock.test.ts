import { VirtualClock } from '../../bench/virtual-clock';

describe('VirtualClock', () => {
  it('fires timers in time order (FIFO among equals) and advances time exactly, without waiting', async () => {
    const clock = new VirtualClock(1000);
    const seen: string[] = [];
    const started = Date.now();
    const result = await clock.run(async () => {
      setTimeout(() => seen.push(`b@${Date.now()}`), 300);
      setTimeout(() => seen.push(`a@${Date.now()}`), 100);
      setTimeout(() => seen.push(`a2@${Date.now()}`), 100);
      const cancelled = setTimeout(() => seen.push('never'), 200);
      clearTimeout(cancelled);
      await clock.sleep(50);
      seen.push(`slept@${clock.now()} ${Date.now()}`);
      await new Promise((r) => setTimeout(r, 10_000));
      return clock.now();
    });
    expect(seen).toEqual(['slept@1050 1050', 'a@1100', 'a2@1100', 'b@1300']);
    expect(result).toBe(11_050);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('runs concurrent sleepers in parallel virtual time', async () => {
    const clock = new VirtualClock(0);
    const t = await clock.run(async () => {
      await Promise.all(Array.from({ length: 10 }, () => clock.sleep(50)));
      for (let i = 0; i < 3; i++) await clock.sleep(50);
      return clock.now();
    });
    expect(t).toBe(200);
  });

  it('seeds Math.random (retry jitter) and restores the globals afterwards, even on failure', async () => {
    const { setTimeout: st, Date: D } = globalThis;
    const random = Math.random;
    const draw = () => new VirtualClock().run(async () => [Math.random(), Math.random()], { seed: 42 });
    expect(await draw()).toEqual(await draw());
    await expect(new VirtualClock().run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect([globalThis.setTimeout, globalThis.Date, Math.random]).toEqual([st, D, random]);
  });

  it('keeps Date usable: existing dates are still instances, explicit dates are untouched', async () => {
    const before = new Date(0);
    const checks = await new VirtualClock(Date.UTC(2026, 0, 1)).run(async () => ({
      instance: before instanceof Date,
      explicit: new Date('2020-01-01T00:00:00Z').toISOString(),
      now: new Date().toISOString(),
    }));
    expect(checks).toEqual({ instance: true, explicit: '2020-01-01T00:00:00.000Z', now: '2026-01-01T00:00:00.000Z' });
  });
});
