/**
 * EXPERIMENT ONLY (bench/cold-start.ts, variant "no zod"): an inert stand-in for zod that accepts any
 * chain of schema calls and validates nothing (parse returns its input). Bundling a function with it shows
 * the size and init time of that function without any runtime validation library: the lower bound of
 * "validate with zod only outside the Lambda bundles".
 */
const schema: any = new Proxy(function inert() {}, {
  get: (_target, prop) =>
    prop === 'parse' ? (data: unknown) => data : prop === 'safeParse' ? (data: unknown) => ({ success: true, data }) : () => schema,
  apply: () => schema,
});

// Every factory (z.string()) and namespace (z.iso.datetime()) leads to the same inert schema.
export const z: any = new Proxy({}, { get: () => schema });
