import type { Member, ProbeConfig } from '../contract/config';
import type { ProbeResult } from './tcp-probe';

/** One TCP probe (tcpProbe in production); must not reject. */
export type TcpProbe = (address: string, port: number, timeoutMs: number) => Promise<ProbeResult>;

export type RoundResult = {
  at: number;
  members: Array<{ member: string; ok: boolean; latencyMs: number; error?: string }>;
};

/** A member's round: every configured port probed in parallel; the round fails if any port fails. */
export const probeMember = async (
  member: Member,
  probe: ProbeConfig,
  tcp: TcpProbe,
): Promise<{ member: string; ok: boolean; latencyMs: number; error?: string }> => {
  const address = member.probeAddress!;
  const results = await Promise.all(
    probe.ports.map(async (port) => ({ port, ...(await tcp(address, port, probe.timeoutMs)) })),
  );
  const failed = results.filter((r) => !r.ok);
  return {
    member: member.name,
    ok: failed.length === 0,
    latencyMs: Math.max(...results.map((r) => r.latencyMs)),
    error:
      failed.length === 0
        ? undefined
        : failed.map((r) => `${address}:${r.port} ${r.error ?? r.failure ?? 'failed'}`).join('; '),
  };
};
