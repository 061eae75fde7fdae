import { MissingEnvError } from './errors';

/**
 * Reads a required variable from the environment it is given; throws MissingEnvError when it is unset or
 * empty. Only index.ts files call it, passing `process.env`, so no shared module reads the environment.
 */
export const requireEnv = (env: Record<string, string | undefined>, name: string): string => {
  const value = env[name];
  if (value === undefined || value === '') throw new MissingEnvError(name);
  return value;
};
