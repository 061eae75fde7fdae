import type { BundleResult } from './cold-start';
import type { ScaleResult } from './scale';
import { SFN_HISTORY_EVENT_LIMIT, SFN_PAYLOAD_LIMIT_BYTES, type ExecutionWeight } from './step-functions';

/** Tables (console and markdown) and the SVG chart of the benchmark; no dependency, hand-written SVG. */

export interface Table {
  headers: string[];
  rows: string[][];
  /** Lines printed under the table (legend, method). */
  notes: string[];
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
/** Seconds from milliseconds: two decimals under 10 s, one above. */
export const seconds = (ms: number): string =>
  (ms / 1000).toLocaleString('en-US', {
    minimumFractionDigits: ms < 10_000 ? 2 : 1,
    maximumFractionDigits: ms < 10_000 ? 2 : 1,
  });
const kib = (bytes: number): string => `${int(bytes / 1024)} KiB`;

const ACTION_ABBREVIATIONS: Record<string, string> = {
  DescribeInstances: 'DI',
  DescribeInstanceStatus: 'DIS',
  DescribeNetworkInterfaces: 'DNI',
  DescribeRouteTables: 'DRT',
  ReplaceRoute: 'RR',
  DeleteRoute: 'DR',
  CreateRoute: 'CR',
};
const ACTION_ORDER = Object.keys(ACTION_ABBREVIATIONS);

export const SCALE_HEADERS = [
  'routes',
  'variant',
  'outcome',
  'makespan s',
  'last route usable s',
  'bucket bound s',
  'EC2 calls (throttled)',
  'wrong at end',
  'black-hole sum route·s',
  'black-hole max s',
  'no-route gap sum / max s',
  'Step Functions quotas',
];

const callsCell = (r: ScaleResult): string =>
  Object.entries(r.calls)
    .sort(([a], [b]) => (ACTION_ORDER.indexOf(a) + 1 || 99) - (ACTION_ORDER.indexOf(b) + 1 || 99))
    .map(
      ([action, n]) =>
        `${ACTION_ABBREVIATIONS[action] ?? action} ${int(n.total)}${n.throttled ? ` (${int(n.throttled)})` : ''}`,
    )
    .join(' · ');

const wrongCell = (r: ScaleResult): string => {
  const w = r.wrong;
  if (w.total === 0) return '0';
  const parts = [
    w.onFailed && `${int(w.onFailed)} on failed`,
    w.missing && `${int(w.missing)} missing`,
    w.otherTarget && `${int(w.otherTarget)} wrong ENI`,
  ].filter(Boolean);
  return `${int(w.total)} (${parts.join(', ')})`;
};

export const quotasCell = (w: ExecutionWeight | undefined): string => {
  if (!w) return 'n/a';
  const largest = w.largest?.bytes ?? 0;
  const payload =
    largest > SFN_PAYLOAD_LIMIT_BYTES
      ? `payload ✗ ${kib(largest)} (${w.largest?.state} ${w.largest?.what})`
      : `payload ✓ ${kib(largest)}`;
  const history = `history ${w.historyEvents > SFN_HISTORY_EVENT_LIMIT ? '✗' : '✓'} ~${int(w.historyEvents)} events`;
  return `${payload} · ${history}`;
};

/** The comparison table: one row per (routes, variant). */
export const scaleTable = (results: ScaleResult[]): Table => ({
  headers: SCALE_HEADERS,
  rows: results.map((r) => {
    const open = r.blackHole.open > 0 ? '≥ ' : '';
    return [
      `${int(r.routes)} (${int(r.routeTables)} tables)`,
      r.variant,
      r.status,
      seconds(r.makespanMs),
      r.blackHole.lastRestoredMs === undefined
        ? `never (${int(r.blackHole.open)} routes)`
        : seconds(r.blackHole.lastRestoredMs),
      seconds(r.lowerBoundMs),
      callsCell(r),
      wrongCell(r),
      `${open}${int(r.blackHole.sumMs / 1000)}`,
      `${open}${seconds(r.blackHole.maxMs)}`,
      r.blackHole.noRouteSumMs === 0
        ? '0'
        : `${int(r.blackHole.noRouteSumMs / 1000)} / ${seconds(r.blackHole.noRouteMaxMs)}`,
      quotasCell(r.weight),
    ];
  }),
  notes: [
    'EC2 calls: DI DescribeInstances, DIS DescribeInstanceStatus, DRT DescribeRouteTables, RR ReplaceRoute, DR ' +
      'DeleteRoute, CR CreateRoute; (n) = answered RequestLimitExceeded.',
    'wrong at end: affected routes not on their paired interface of the healthy router (on failed = still on the ' +
      'stopped router, black-holed; missing = deleted and never ' +
      're-created; wrong ENI = on the standby but eth0 instead of eth1).',
    'black-hole: per route, the time from the failure with no usable route (target not on a running instance, or no ' +
      'route at all); "≥" when some routes never recovered (counted until the end of the run).',
    'bucket bound: ⌈tables/100⌉ DescribeRouteTables pages in sequence, then one ReplaceRoute per route from a full ' +
      'ReplaceRoute bucket (50 burst, 5/s), each one latency: the earliest the last route can be usable.',
    `Step Functions quotas: largest state input/output in UTF-8 JSON vs ${kib(SFN_PAYLOAD_LIMIT_BYTES)}, and the ` +
      `estimated history events vs ${int(SFN_HISTORY_EVENT_LIMIT)} (run locally, neither is enforced).`,
  ],
});

/** Input and output size of every state of one execution, for the payload report. */
export const weightTable = (w: ExecutionWeight): Table => ({
  headers: ['state', 'entered', 'max input', 'max output', '> 256 KiB'],
  rows: w.states.map((s) => [
    s.inMap ? `  ${s.state} (Map item)` : s.state,
    int(s.entered),
    kib(s.maxInputBytes),
    kib(s.maxOutputBytes),
    Math.max(s.maxInputBytes, s.maxOutputBytes) > SFN_PAYLOAD_LIMIT_BYTES ? '✗' : '',
  ]),
  notes: [
    `${int(w.localEvents)} local events; ~${int(w.historyEvents)} Step Functions history events (quota ` +
      `${int(SFN_HISTORY_EVENT_LIMIT)}).`,
  ],
});

const ratio = (a: number | undefined, b: number | undefined): string => (a && b ? `${(a / b).toFixed(2)}×` : '');

/** The cold start table: floors first, then each function as built and in the experiment variants. */
export const coldStartTable = (results: BundleResult[]): Table => {
  const floors = new Map(results.filter((r) => r.variant === 'floor').map((r) => [r.name, r]));
  const runs = results.find((r) => r.init)?.init?.runs ?? 0;
  return {
    headers: [
      'bundle',
      'variant',
      'SDK clients',
      'size KiB',
      'zod KiB',
      'size × floor',
      'init wall ms',
      'init CPU ms',
      'init CPU × floor',
      'init wall × floor',
    ],
    rows: results.map((r) => {
      const f = r.floor ? floors.get(r.floor) : undefined;
      return [
        r.name,
        r.variant,
        r.clients.join('+'),
        int(r.bytes / 1024),
        r.zodBytes ? int(r.zodBytes / 1024) : '0',
        f ? ratio(r.bytes, f.bytes) : '',
        r.init ? r.init.wallMs.toFixed(1) : (r.error ?? ''),
        r.init ? r.init.cpuMs.toFixed(1) : '',
        f ? ratio(r.init?.cpuMs, f.init?.cpuMs) : '',
        f ? ratio(r.init?.wallMs, f.init?.wallMs) : '',
      ];
    }),
    notes: [
      `init: median of ${runs} imports of the built bundle, each in a fresh node process (${process.version}), timed ` +
        `inside the child around await import(); CPU = user+system ` +
        `of that process over the same span (stable when the ` +
        `machine is busy, wall is not).`,
      'floor: only the SDK client(s) the function bundles and one command each (EC2: EC2Client + ' +
        'ReplaceRouteCommand), built the same way.',
      'as built: as deployed; its schemas are zod/mini, declared with z.lazy (built on their first parse, not at ' +
        'import; functions/contract/zod.ts).',
      'variants are experiments (functions/contract/zod.ts swapped at bundle time): schemas at import = every schema ' +
        'of the modules the function imports built during init ' +
        '(bench/cold-start/zod-eager.ts); the difference from as ' +
        'built is what the lazy declarations move out of init, ' +
        'of which the schemas a function parses are built during ' +
        'its first invocation instead; no zod = an inert stand-in (no runtime validation at all).',
    ],
  };
};

/** Per variant, the worst ratio to the floor over all functions: what "within 1.2× of the floor" asks. */
export const coldStartSummary = (results: BundleResult[]): Table => {
  const floors = new Map(results.filter((r) => r.variant === 'floor').map((r) => [r.name, r]));
  const variants = [...new Set(results.filter((r) => r.variant !== 'floor').map((r) => r.variant))];
  const worst = (rs: BundleResult[], f: (r: BundleResult, floor: BundleResult) => number | undefined) => {
    let best: { value: number; name: string } | undefined;
    for (const r of rs) {
      const floor = r.floor ? floors.get(r.floor) : undefined;
      const v = floor ? f(r, floor) : undefined;
      if (v !== undefined && Number.isFinite(v) && (!best || v > best.value)) best = { value: v, name: r.name };
    }
    return best ? `${best.value.toFixed(2)}× (${best.name})` : 'n/a';
  };
  return {
    headers: [
      'variant',
      'functions measured',
      'worst size × floor',
      'worst init CPU × floor',
      'worst init wall × floor',
    ],
    rows: variants.map((v) => {
      const rs = results.filter((r) => r.variant === v);
      const ok = rs.filter((r) => r.init);
      return [
        v,
        `${ok.length} of ${rs.length}${
          rs.length > ok.length
            ? ` (${rs
                .filter((r) => !r.init)
                .map((r) => r.name)
                .join(', ')} failed)`
            : ''
        }`,
        worst(rs, (r, f) => (r.bytes ? r.bytes / f.bytes : undefined)),
        worst(ok, (r, f) => r.init && f.init && r.init.cpuMs / f.init.cpuMs),
        worst(ok, (r, f) => r.init && f.init && r.init.wallMs / f.init.wallMs),
      ];
    }),
    notes: ['Each function against the floor of its own SDK clients; the issue asks for within 1.2×.'],
  };
};

/** Fixed-width text for the terminal. */
export const renderConsole = (t: Table): string => {
  const widths = t.headers.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    line(t.headers),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...t.rows.map(line),
    ...t.notes.map((n) => `  ${n}`),
  ].join('\n');
};

/** A GitHub-flavoured markdown table with its notes as a list. */
export const renderMarkdown = (t: Table): string => {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `| ${t.headers.map(esc).join(' | ')} |`,
    `| ${t.headers.map(() => '---').join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    '',
    ...t.notes.map((n) => `- ${n}`),
  ].join('\n');
};

// ───────────────────────────── SVG ─────────────────────────────

const COLORS = { workflow: '#1f6fb4', classic: '#c8372d', bound: '#777777' };

const escXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Two panels: makespan against the token-bucket bound (log scale), and the share of routes wrong at the
 * end, per number of affected routes, workflow beside classic.
 */
export const scaleChartSvg = (results: ScaleResult[]): string => {
  const sizes = [...new Set(results.map((r) => r.routes))].sort((a, b) => a - b);
  const get = (variant: string, routes: number) => results.find((r) => r.variant === variant && r.routes === routes);
  const W = 760;
  const H = 320;
  const panel = { top: 48, bottom: 250, left1: 60, right1: 360, left2: 450, right2: 740 };
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
      `font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
  );

  // Left: makespan, log10 seconds.
  const values = results
    .flatMap((r) => [r.makespanMs, r.lowerBoundMs])
    .filter((v) => v > 0)
    .map((v) => v / 1000);
  const lo = Math.floor(Math.log10(Math.min(...values, 1)));
  const hi = Math.ceil(Math.log10(Math.max(...values, 1)));
  const xOf = (i: number, left: number, right: number) => left + ((i + 0.5) * (right - left)) / sizes.length;
  const yLog = (s: number) =>
    panel.bottom - ((Math.log10(Math.max(s, 10 ** lo)) - lo) / Math.max(1, hi - lo)) * (panel.bottom - panel.top);
  out.push(
    `<text x="${panel.left1}" y="18" font-size="13" font-weight="600">Makespan vs token-bucket bound (s, log)</text>`,
    `<text x="${panel.left1}" y="33" font-size="10" fill="#666">classic ` +
      `ends early: it leaves throttled routes broken (right)</text>`,
  );
  for (let e = lo; e <= hi; e++) {
    const y = yLog(10 ** e);
    out.push(
      `<line x1="${panel.left1}" x2="${panel.right1}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`,
      `<text x="${panel.left1 - 6}" y="${y + 4}" text-anchor="end" ` +
        `fill="#555">${e < 0 ? (10 ** e).toFixed(-e) : int(10 ** e)}</text>`,
    );
  }
  const series: Array<{ name: string; color: string; dash?: string; value: (routes: number) => number | undefined }> = [
    { name: 'workflow', color: COLORS.workflow, value: (n) => get('workflow', n)?.makespanMs },
    { name: 'classic', color: COLORS.classic, value: (n) => get('classic', n)?.makespanMs },
    {
      name: 'bound',
      color: COLORS.bound,
      dash: '5 4',
      value: (n) => results.find((r) => r.routes === n)?.lowerBoundMs,
    },
  ];
  for (const s of series) {
    const pts = sizes
      .map((n, i) => [xOf(i, panel.left1, panel.right1), s.value(n)] as const)
      .filter((p): p is readonly [number, number] => p[1] !== undefined)
      .map(([x, v]) => [x, yLog(v / 1000)] as const);
    if (pts.length === 0) continue;
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} ` +
        `points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`,
      ...pts.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${s.color}"/>`),
    );
  }
  sizes.forEach((n, i) => {
    out.push(
      `<text x="${xOf(i, panel.left1, panel.right1)}" y="${panel.bottom + 16}" text-anchor="middle">${int(n)}</text>`,
    );
  });
  out.push(
    `<text x="${(panel.left1 + panel.right1) / 2}" y="${panel.bottom + 32}" text-anchor="middle" ` +
      `fill="#555">affected routes</text>`,
  );

  // Right: % of routes wrong at the end.
  out.push(
    `<text x="${panel.left2}" y="18" font-size="13" font-weight="600">Routes wrong at the end (%)</text>`,
    `<text x="${panel.left2}" y="33" font-size="10" fill="#666">black-holed, missing, or on the wrong interface</text>`,
  );
  const yPct = (p: number) => panel.bottom - (p / 100) * (panel.bottom - panel.top);
  for (const p of [0, 25, 50, 75, 100]) {
    out.push(
      `<line x1="${panel.left2}" x2="${panel.right2}" y1="${yPct(p)}" y2="${yPct(p)}" stroke="#e3e3e3"/>`,
      `<text x="${panel.left2 - 6}" y="${yPct(p) + 4}" text-anchor="end" fill="#555">${p}</text>`,
    );
  }
  const slot = (panel.right2 - panel.left2) / sizes.length;
  sizes.forEach((n, i) => {
    (['workflow', 'classic'] as const).forEach((v, j) => {
      const r = get(v, n);
      if (!r) return;
      const pct = (100 * r.wrong.total) / r.routes;
      const x = panel.left2 + i * slot + slot * 0.18 + j * slot * 0.32;
      const y = yPct(pct);
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.3).toFixed(1)}" ` +
          `height="${(panel.bottom - y).toFixed(1)}" fill="${COLORS[v]}"/>`,
        `<text x="${(x + slot * 0.15).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="9" ` +
          `fill="#333">${pct < 1 && pct > 0 ? pct.toFixed(1) : int(pct)}</text>`,
      );
    });
    out.push(
      `<text x="${panel.left2 + (i + 0.5) * slot}" y="${panel.bottom + 16}" text-anchor="middle">${int(n)}</text>`,
    );
  });
  out.push(
    `<text x="${(panel.left2 + panel.right2) / 2}" y="${panel.bottom + 32}" text-anchor="middle" ` +
      `fill="#555">affected routes</text>`,
  );

  // Legend.
  const legend = [
    ['workflow (ASL run locally)', COLORS.workflow, ''],
    ['classic delete + create', COLORS.classic, ''],
    ['token-bucket bound', COLORS.bound, '5 4'],
  ];
  legend.forEach(([label, color, dash], i) => {
    const x = 60 + i * 230;
    out.push(
      `<line x1="${x}" x2="${x + 22}" y1="${H - 8}" y2="${H - 8}" stroke="${color}" ` +
        `stroke-width="3"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text x="${x + 28}" y="${H - 4}">${escXml(label)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
};
