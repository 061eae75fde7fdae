import { en } from 'zod/locales';
import { config, extend, type core, type ZodMiniLazy, type ZodMiniObject } from 'zod/mini';

/**
 * Where every schema under functions/ gets zod from (`import * as z from './zod'`): zod/mini, whose
 * functional API tree-shakes to under a tenth of classic zod in a Lambda bundle (docs/bench/cold-start.md).
 * zod/mini ships no error messages, so the English ones are loaded here, once, for every schema; a named
 * import, because the whole `locales` object is ~290 KB.
 *
 * Module-level schemas are declared with `z.lazy(() => …)`: built on their first parse, not at import, so
 * a function's cold start builds none of them and its first invocation only those it parses.
 */
config(en());

export * from 'zod/mini';

/** `z.extend` of an object schema declared with `z.lazy` (call it inside another `z.lazy`: it builds the base). */
export const extendLazy = <T extends ZodMiniObject, U extends core.$ZodLooseShape>(base: ZodMiniLazy<T>, shape: U) =>
  extend(base._zod.innerType, shape);
