/**
 * EXPERIMENT ONLY (bench/cold-start.ts, variant "no zod"): an inert stand-in for functions/contract/zod.ts
 * that accepts the schema expressions functions/ writes (z.optional(z.string().check(…)), z.lazy(…),
 * z.iso.datetime() …) and validates nothing (parse returns its input). Bundling a function with it shows
 * the size and init time of that function without any runtime validation library: the lower bound of
 * "validate outside Lambda". A factory functions/ starts using must be added below; until then the build
 * warns and this variant's init fails, naming it.
 */
// biome-ignore lint/suspicious/noExplicitAny: stands in for every zod schema type at once, which is what it is for
const schema: any = new Proxy(function inert() {}, {
  get: (_target, prop) =>
    prop === 'parse'
      ? (data: unknown) => data
      : prop === 'safeParse'
        ? (data: unknown) => ({ success: true, data })
        : () => schema,
});
const make = (): unknown => schema;

export {
  make as _default,
  make as array,
  make as boolean,
  make as email,
  make as enum,
  make as extendLazy,
  make as gte,
  make as int,
  make as lazy,
  make as literal,
  make as looseObject,
  make as lte,
  make as maxLength,
  make as minLength,
  make as nullable,
  make as number,
  make as object,
  make as optional,
  make as record,
  make as regex,
  make as strictObject,
  make as string,
  make as superRefine,
  make as union,
  make as unknown,
};
export const iso = { datetime: make };
