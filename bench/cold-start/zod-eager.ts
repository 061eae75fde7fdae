/**
 * EXPERIMENT ONLY (bench/cold-start.ts, variant "schemas at import"): functions/contract/zod.ts with `z.lazy`
 * building its schema at once, so every schema of the modules a function imports is built during module
 * init, as it was before they were declared lazily. Its init minus the "as built" init is what the lazy
 * declarations move out of init: the part of it a function parses is then built by its first invocation.
 */
import { lazy as miniLazy, type core } from 'zod/mini';

export * from '../../functions/contract/zod';

// A local export shadows the one `export *` brings in.
export const lazy = <T extends core.SomeType>(getter: () => T) => {
  const schema = getter();
  return miniLazy(() => schema);
};
