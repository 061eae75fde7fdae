import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfig } from '../../functions/contract/config';
import { githubAnchor } from './config-reference';

/**
 * What the documentation promises that a tool can check: every relative link of README.md and docs/**\/*.md
 * reaches a file, and its #anchor a heading of that page; every failover config shown in them (a ```json block
 * with "groups") and every examples/*.json validates against the schema. test/docs/doc-checks.test.ts runs it.
 */

export interface DocProblem {
  file: string;
  line: number;
  problem: string;
}

/** README.md and every .md under docs/, as paths relative to `root`. */
export const markdownFiles = (root: string): string[] => {
  const out = ['README.md'];
  const walk = (dir: string): void => {
    for (const name of readdirSync(path.join(root, dir)).sort()) {
      const rel = path.join(dir, name);
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.md')) out.push(rel);
    }
  };
  walk('docs');
  return out;
};

/** Lines outside fenced code blocks, with their 1-based numbers. */
const proseLines = (text: string): { line: number; text: string }[] => {
  const out: { line: number; text: string }[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((line, i) => {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      if (fence === undefined) fence = m[1][0];
      else if (m[1][0] === fence) fence = undefined;
      return;
    }
    if (fence === undefined) out.push({ line: i + 1, text: line });
  });
  return out;
};

/** The anchors GitHub gives a page: one per heading (a repeated heading gets -1, -2, …), and explicit ids. */
export const anchorsOf = (text: string): Set<string> => {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      // Inline code and links keep their text in GitHub's anchor.
      const plain = h[1].replace(/`([^`]*)`/g, '$1').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
      const base = githubAnchor(plain);
      const n = seen.get(base) ?? 0;
      anchors.add(n === 0 ? base : `${base}-${n}`);
      seen.set(base, n + 1);
    }
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  }
  return anchors;
};

/** Link targets of a page, outside code: inline links and images, reference definitions, href/src attributes. */
export const linksOf = (text: string): { line: number; target: string }[] => {
  const out: { line: number; target: string }[] = [];
  for (const { line, text: raw } of proseLines(text)) {
    const prose = raw.replace(/`[^`]*`/g, '``');
    for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ line, target: m[1] });
    const def = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(prose);
    if (def) out.push({ line, target: def[1] });
    for (const m of prose.matchAll(/\b(?:href|src)="([^"]+)"/g)) out.push({ line, target: m[1] });
  }
  return out;
};

/** Broken relative links and anchors of `file` (relative to root). External links are not fetched (CI is offline). */
export const checkLinks = (
  root: string,
  file: string,
  read: (rel: string) => string | undefined = (rel) => readIfFile(root, rel),
): DocProblem[] => {
  const text = read(file);
  if (text === undefined) return [{ file, line: 0, problem: 'missing' }];
  const problems: DocProblem[] = [];
  for (const { line, target } of linksOf(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    const [rawPath, anchor] = target.split('#', 2);
    const rel = rawPath === '' ? file : path.normalize(path.join(path.dirname(file), decodeURIComponent(rawPath)));
    if (rel.startsWith('..')) {
      problems.push({ file, line, problem: `${target}: leaves the repository` });
      continue;
    }
    if (rawPath !== '' && !existsSync(path.join(root, rel))) {
      problems.push({ file, line, problem: `${target}: no such file ${rel}` });
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (!rel.endsWith('.md')) {
      // A line anchor of a source file (#L10) is fine; other anchors into non-markdown cannot be checked.
      if (!/^L\d+(-L\d+)?$/.test(anchor))
        problems.push({ file, line, problem: `${target}: anchor into a file that is not markdown` });
      continue;
    }
    const targetText = read(rel);
    if (targetText === undefined || !anchorsOf(targetText).has(anchor.toLowerCase())) {
      problems.push({ file, line, problem: `${target}: no heading #${anchor} in ${rel}` });
    }
  }
  return problems;
};

const readIfFile = (root: string, rel: string): string | undefined => {
  const abs = path.join(root, rel);
  return existsSync(abs) && statSync(abs).isFile() ? readFileSync(abs, 'utf8') : undefined;
};

/** ```json blocks of a page, with the line of their opening fence. */
export const jsonBlocksOf = (text: string): { line: number; body: string }[] => {
  const out: { line: number; body: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*```json\s*$/.test(lines[i])) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    out.push({ line: start + 1, body: body.join('\n') });
  }
  return out;
};

/**
 * Every ```json block must be JSON (a fragment is shown inside braces, so that it can be checked), and one that
 * holds a "groups" key is a failover config: it must validate, as synth would.
 */
export const checkConfigBlocks = (file: string, text: string): DocProblem[] =>
  jsonBlocksOf(text).flatMap((b) => {
    let value: unknown;
    try {
      value = JSON.parse(b.body);
    } catch (e) {
      return [{ file, line: b.line, problem: `not JSON: ${(e as Error).message}` }];
    }
    if (value === null || typeof value !== 'object' || !('groups' in value)) return [];
    try {
      parseConfig(value, `${file}:${b.line}`);
      return [];
    } catch (e) {
      return [{ file, line: b.line, problem: (e as Error).message }];
    }
  });

/** examples/*.json (the configs; events/ and requests/ are checked by test/cli/examples.test.ts). */
export const checkExampleConfigs = (root: string): DocProblem[] =>
  readdirSync(path.join(root, 'examples'))
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => {
      const rel = path.join('examples', name);
      try {
        parseConfig(JSON.parse(readFileSync(path.join(root, rel), 'utf8')), rel);
        return [];
      } catch (e) {
        return [{ file: rel, line: 0, problem: (e as Error).message }];
      }
    });

/** Error names that never reach an operator by name, and why; every other named error needs a troubleshooting entry. */
export const ERRORS_NOT_IN_TROUBLESHOOTING: Record<string, string> = {
  FailoverError: 'the base class; only its subclasses are thrown',
  RouteReplaceError:
    'declared in functions/contract/errors.ts, thrown nowhere: a refused ReplaceRoute is recorded on its route',
  CliError: 'the CLI prints its message and exit code, never the name',
};

/**
 * Every error name an operator can be given: the `name` of each error class under functions/, infra/ and cli/,
 * the Error of each Fail state of the definition, and the outcome errors the audit record names
 * (functions/domain/audit-outcome.ts).
 */
export const operatorErrorNames = (root: string): string[] => {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(path.join(root, dir))) {
      const rel = path.join(dir, name);
      if (statSync(path.join(root, rel)).isDirectory()) {
        if (name !== 'node_modules') walk(rel);
      } else if (name.endsWith('.ts')) {
        const text = readFileSync(path.join(root, rel), 'utf8');
        for (const m of text.matchAll(/this\.name = ([^;]+);/g))
          for (const q of m[1].matchAll(/'([A-Za-z]+)'/g)) names.add(q[1]);
      }
    }
  };
  ['functions', 'infra', 'cli'].forEach(walk);
  const asl = readFileSync(path.join(root, 'statemachine', 'failover.asl.json'), 'utf8');
  for (const m of asl.matchAll(/"Error":\s*"([A-Za-z.]+)"/g)) names.add(m[1]);
  const outcome = readFileSync(path.join(root, 'functions', 'domain', 'audit-outcome.ts'), 'utf8');
  for (const m of outcome.matchAll(/'((?:Routes|Associations|DryRun|Verification)[A-Za-z]+)'/g)) names.add(m[1]);
  return [...names].filter((n) => !(n in ERRORS_NOT_IN_TROUBLESHOOTING)).sort();
};
