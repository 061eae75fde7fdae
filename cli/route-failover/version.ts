import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The CLI's version: the package's, read from package.json next to the sources (paths from __dirname). */
export const cliVersion = (): string => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
};
