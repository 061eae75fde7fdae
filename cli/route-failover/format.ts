/**
 * Small text helpers for readable output: aligned columns, UTC ISO times, short durations. No colour:
 * output is meant for terminals, logs and change tickets alike.
 */

/** Aligns rows under a header; the last column is never padded (so long text does not push trailing spaces). */
export const table = (header: string[], rows: string[][], indent = ''): string => {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  return all
    .map(
      (r) =>
        indent +
        r
          .map((cell, i) => (i === r.length - 1 ? cell : pad(cell ?? '', widths[i])))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
};

/** Pads to a display width (counts code points, so arrows and ellipses count as one). */
export const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - width(s)));

const width = (s: string): number => [...s].length;

/** UTC ISO time to the second: 2026-11-25T14:30:00Z; '-' when unknown. */
export const isoTime = (d: Date | string | undefined): string => {
  if (d === undefined) return '-';
  const date = typeof d === 'string' ? new Date(d) : d;
  return Number.isNaN(date.getTime()) ? String(d) : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
};

/** 850 ms, 12.3 s, 4m05s, 2h10m. */
export const duration = (ms: number | undefined): string => {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

/** Cuts text to `max` characters with an ellipsis; one line. */
export const clip = (s: string | undefined, max: number): string => {
  const one = (s ?? '').replace(/\s+/g, ' ').trim();
  return [...one].length > max ? `${[...one].slice(0, max - 1).join('')}…` : one;
};

/** "1 route", "3 routes". */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

/**
 * A principal ARN shortened for a column: assumed-role sessions as ROLE/SESSION, users as user/NAME;
 * anything else unchanged. `history show` prints the full ARN.
 */
export const shortPrincipal = (who: string | undefined): string => {
  if (!who) return '-';
  const m = /^arn:aws[a-z-]*:(?:sts|iam)::\d{12}:(assumed-role|user|role|federated-user)\/(.+)$/.exec(who);
  if (!m) return who;
  return m[1] === 'assumed-role' ? m[2] : `${m[1]}/${m[2]}`;
};

/** Arrow between from and to members. */
export const ARROW = '→';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * "90s", "10m", "2h", "7d", "2w" in milliseconds; a bare number counts in `bareUnit` when one is given
 * (--timeout 300 is seconds), else is refused. undefined when unreadable.
 */
export const parseDurationMs = (text: string, opts: { bareUnit?: keyof typeof UNIT_MS } = {}): number | undefined => {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?$/.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] as keyof typeof UNIT_MS | undefined) ?? opts.bareUnit;
  return unit ? Number(m[1]) * UNIT_MS[unit] : undefined;
};

/**
 * An execution's input, output or history event details, read as loose JSON: they come from every version
 * of the workflow, and each reader checks what it uses (`typeof`, `Array.isArray`) before trusting it.
 */
// biome-ignore lint/suspicious/noExplicitAny: the one loose-JSON type of the history readers, checked where read.
export type LooseJson = Record<string, any>;
