import { InvalidRequestError } from './errors';
import type * as z from './zod';

// Apart from schemas.ts so that a function whose input schema needs none of the shared ones imports none of them.

/** Parses a Task's input; a mismatch is an InvalidRequestError naming the fields (never a bare ZodError). */
export const parseInput = <S extends z.ZodMiniType>(schema: S, raw: unknown, what: string): z.infer<S> => {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidRequestError(`${what}: ${lines.join('; ')}`);
  }
  return result.data;
};
