/** EC2's filters and pagination (opaque tokens bound to their query), and selection by explicit IDs. */
import type { Filter, Tag } from '@aws-sdk/client-ec2';
import { fault, type SimFault } from './faults';
import { checkIdFormat, notFound, type IdPrefix } from './ids';

// ───────────────────────────── filters ─────────────────────────────

export interface FilterSpec<T> {
  fields: Record<string, (item: T) => Array<string | undefined>>;
  tags?: (item: T) => Record<string, string>;
}

const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

const valueMatches = (pattern: string, value: string): boolean =>
  /[*?]/.test(pattern) ? wildcard(pattern).test(value) : pattern === value;

const isTagFilter = (name: string): boolean => name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';

/** Rejects filters EC2 would reject, before any resource is looked at. */
export const checkFilters = <T>(filters: Filter[] | undefined, spec: FilterSpec<T>): void => {
  for (const f of filters ?? []) {
    const name = f.Name ?? '';
    const known = name in spec.fields || (spec.tags !== undefined && isTagFilter(name));
    if (!known) throw fault('InvalidParameterValue', `The filter '${name}' is invalid`);
    // A filter without values can only be a caller bug; EC2 refuses it rather than matching nothing.
    if (!f.Values || f.Values.length === 0)
      throw fault('InvalidParameterValue', `The filter '${name}' requires at least one value`);
  }
};

const filterValuesOf = <T>(item: T, name: string, spec: FilterSpec<T>): string[] => {
  const tags = spec.tags?.(item) ?? {};
  if (name.startsWith('tag:')) return name.slice(4) in tags ? [tags[name.slice(4)]] : [];
  if (name === 'tag-key') return Object.keys(tags);
  if (name === 'tag-value') return Object.values(tags);
  return spec.fields[name](item).filter((v): v is string => v !== undefined);
};

/** Values within one filter are OR-ed, filters are AND-ed; '*' and '?' are wildcards as in EC2. */
export const matchesFilters = <T>(item: T, filters: Filter[] | undefined, spec: FilterSpec<T>): boolean =>
  (filters ?? []).every((f) => {
    const values = filterValuesOf(item, f.Name ?? '', spec);
    return (f.Values ?? []).some((pattern) => values.some((v) => valueMatches(pattern, v)));
  });

// ───────────────────────────── pagination ─────────────────────────────

export interface PageRequest {
  action: string;
  MaxResults?: number;
  NextToken?: string;
  filters?: Filter[];
  /** Name and value of the "explicit IDs" parameter, which EC2 refuses to combine with MaxResults. */
  ids?: { param: string; value: unknown[] | undefined };
  min: number;
  max: number;
}

/** FNV-1a, to bind a token to the query that produced it. */
const fingerprint = (text: string): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
};

const encodeToken = (action: string, filters: Filter[] | undefined, afterSeq: number): string =>
  Buffer.from(JSON.stringify({ a: action, q: fingerprint(JSON.stringify(filters ?? [])), s: afterSeq })).toString(
    'base64url',
  );

const decodeToken = (req: PageRequest): number => {
  const bad = (): SimFault => fault('InvalidPaginationToken', `Invalid pagination token '${String(req.NextToken)}'`);
  let parsed: { a?: unknown; q?: unknown; s?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(String(req.NextToken), 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const expected = fingerprint(JSON.stringify(req.filters ?? []));
  if (parsed.a !== req.action || parsed.q !== expected || typeof parsed.s !== 'number') throw bad();
  return parsed.s;
};

export const checkPaging = (req: PageRequest): void => {
  const idsGiven = req.ids?.value !== undefined && req.ids.value.length > 0;
  if (idsGiven && (req.MaxResults !== undefined || req.NextToken !== undefined)) {
    throw fault(
      'InvalidParameterCombination',
      `The parameter ${req.ids?.param} cannot be used with the parameter maxResults`,
    );
  }
  if (
    req.MaxResults !== undefined &&
    (!Number.isInteger(req.MaxResults) || req.MaxResults < req.min || req.MaxResults > req.max)
  ) {
    throw fault(
      'InvalidParameterValue',
      `Value ( ${req.MaxResults} ) for parameter maxResults is ` +
        `invalid. Expecting a value between ${req.min} and ${req.max}.`,
    );
  }
};

/**
 * One page of items in creation order. The token remembers the last item's sequence number rather than
 * an offset, so a resource deleted between pages neither repeats nor skips anything.
 */
export const paginate = <T extends { seq: number }>(
  items: T[],
  req: PageRequest,
): { page: T[]; NextToken?: string } => {
  const after = req.NextToken !== undefined ? decodeToken(req) : -1;
  const remaining = items.filter((i) => i.seq > after);
  if (req.MaxResults === undefined || remaining.length <= req.MaxResults) return { page: remaining };
  const page = remaining.slice(0, req.MaxResults);
  return { page, NextToken: encodeToken(req.action, req.filters, page[page.length - 1].seq) };
};

/** Resources by explicit ID, in creation order; any unknown ID fails the whole call, as in EC2. */
export const selectByIds = <T extends { seq: number }>(prefix: IdPrefix, ids: string[], from: Map<string, T>): T[] => {
  for (const id of ids) checkIdFormat(prefix, id);
  const missing = [...new Set(ids)].filter((id) => !from.has(id));
  if (missing.length > 0) throw notFound(prefix, missing);
  return [...new Set(ids)].map((id) => from.get(id) as T).sort((a, b) => a.seq - b.seq);
};

export const toTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Drops undefined keys, as the SDK's deserializer never produces them. */
export const compact = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** A call with DryRun set answers DryRunOperation once its request is known to be valid, before any effect. */
export const checkDryRun = (input: { DryRun?: boolean }): void => {
  if (input.DryRun === true)
    throw fault('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
};
