/**
 * EXPERIMENT ONLY (bench/cold-start.ts, variants "zod/mini" and "zod/mini lazy"): the slice of zod's classic
 * chainable API that functions/ uses, re-expressed on `zod/mini`, so the real functions can be bundled with
 * zod/mini in place of zod without touching their code. It measures what a port of the schemas to zod/mini
 * would weigh; the port itself would call zod/mini's functions directly (z.optional(z.string()) …) rather
 * than ship this adapter. Types are deliberately loose: esbuild strips them and nothing type-checks against it.
 *
 * With BENCH_ZOD_LAZY defined as "1" at bundle time, no zod/mini schema is built at import: each is built the
 * first time it (or a schema containing it) parses something. That measures the init of a port in which a
 * function constructs only the schemas it actually parses (e.g. one module per step's input schema).
 */
import * as m from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini ships no error messages; a port would load the English ones (a named import, ~3 KB minified).
m.config(en());

const LAZY = process.env.BENCH_ZOD_LAZY === '1';

type Kind = 'string' | 'number' | 'array' | 'other';
type Mini = any;

const unwrap = (s: unknown): Mini => (s instanceof Schema ? s.inner : s);
const unwrapShape = (shape: Record<string, unknown>): Record<string, Mini> =>
  Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, unwrap(v)]));

class Schema {
  private built?: Mini;

  constructor(
    private readonly make: () => Mini,
    readonly kind: Kind = 'other',
  ) {
    if (!LAZY) this.built = make();
  }
  get inner(): Mini {
    return (this.built ??= this.make());
  }
  private with(check: () => Mini): Schema {
    return new Schema(() => this.inner.check(check()), this.kind);
  }
  optional(): Schema {
    return new Schema(() => m.optional(this.inner));
  }
  nullable(): Schema {
    return new Schema(() => m.nullable(this.inner));
  }
  default(value: unknown): Schema {
    return new Schema(() => m._default(this.inner, value as never));
  }
  or(other: unknown): Schema {
    return new Schema(() => m.union([this.inner, unwrap(other)]));
  }
  min(n: number, message?: string): Schema {
    return this.with(() => (this.kind === 'number' ? m.gte(n, message) : m.minLength(n, message)));
  }
  max(n: number, message?: string): Schema {
    return this.with(() => (this.kind === 'number' ? m.lte(n, message) : m.maxLength(n, message)));
  }
  int(message?: string): Schema {
    return this.with(() => m.refine((v: unknown) => Number.isInteger(v), message ?? 'Expected an integer'));
  }
  regex(re: RegExp, message?: string): Schema {
    return this.with(() => m.regex(re, message));
  }
  extend(shape: Record<string, unknown>): Schema {
    return new Schema(() => m.extend(this.inner, unwrapShape(shape)));
  }
  superRefine(fn: (value: any, ctx: any) => void): Schema {
    return this.with(() => m.superRefine(fn));
  }
  refine(fn: (value: any) => unknown, message?: string): Schema {
    return this.with(() => m.refine(fn, message));
  }
  parse(data: unknown): any {
    return this.inner.parse(data);
  }
  safeParse(data: unknown): any {
    return this.inner.safeParse(data);
  }
}

const factories: Record<string, unknown> = {
  string: () => new Schema(() => m.string(), 'string'),
  number: () => new Schema(() => m.number(), 'number'),
  boolean: () => new Schema(() => m.boolean()),
  unknown: () => new Schema(() => m.unknown()),
  email: (message?: string) => new Schema(() => m.email(message), 'string'),
  literal: (value: never) => new Schema(() => m.literal(value)),
  enum: (values: never) => new Schema(() => m.enum(values)),
  array: (item: unknown) => new Schema(() => m.array(unwrap(item)), 'array'),
  object: (shape: Record<string, unknown>) => new Schema(() => m.object(unwrapShape(shape))),
  strictObject: (shape: Record<string, unknown>) => new Schema(() => m.strictObject(unwrapShape(shape))),
  looseObject: (shape: Record<string, unknown>) => new Schema(() => m.looseObject(unwrapShape(shape))),
  union: (options: unknown[]) => new Schema(() => m.union(options.map(unwrap) as never)),
  record: (key: unknown, value: unknown) => new Schema(() => m.record(unwrap(key), unwrap(value))),
  iso: { datetime: (params?: unknown) => new Schema(() => m.iso.datetime(params as never), 'string') },
};

// Only named imports of zod/mini keep the rest of it out of the bundle (no dynamic m[name] lookups), so a
// factory functions/ starts using must be added above; until then the variant's init fails and says which.
export const z: any = new Proxy(factories, {
  get: (target, prop) => {
    if (typeof prop === 'string' && !(prop in target)) throw new Error(`bench/cold-start/zod-on-mini.ts: z.${prop} is not mapped onto zod/mini yet`);
    return target[prop as string];
  },
});
