import type { EmfLine } from '../contract/emf';
import { locationMetricLine, memberMetricLine } from './metrics';
import type { RoundResult } from './round';

/** Rounds of one report period, aggregated into a few EMF lines. */
export const newPeriod = (start: number) => {
  const p = {
    start,
    rounds: 0,
    allDown: false,
    members: new Map<string, { ok: number; n: number; maxLatency?: number }>(),
    add(round: RoundResult, allMembersDown: boolean) {
      p.rounds++;
      p.allDown ||= allMembersDown;
      for (const m of round.members) {
        const s = p.members.get(m.member) ?? { ok: 0, n: 0 };
        s.n++;
        if (m.ok) {
          s.ok++;
          s.maxLatency = Math.max(s.maxLatency ?? 0, m.latencyMs);
        }
        p.members.set(m.member, s);
      }
    },
    flush(deps: { emitMetric: (line: EmfLine) => void }, group: string, location: string, now: number) {
      if (p.rounds === 0) return;
      for (const [member, s] of p.members)
        deps.emitMetric(memberMetricLine(now, group, member, s.ok / s.n, s.maxLatency));
      deps.emitMetric(locationMetricLine(now, group, location, p.rounds, p.allDown));
      p.start = now;
      p.rounds = 0;
      p.allDown = false;
      p.members.clear();
    },
  };
  return p;
};
