import { MissingEnvError } from './errors';

/** Reads a required environment variable; throws MissingEnvError when it is unset or empty. Only index.ts calls it. */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new MissingEnvError(name);
  return value;
};
