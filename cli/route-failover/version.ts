import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The CLI's version: the package's, from the package.json above this file (paths from __dirname): two levels up
 * from the sources (cli/route-failover/), three from the packed package's JavaScript (dist/cli/route-failover/).
 */
export const cliVersion = (): string => {
  for (const up of [
    ['..', '..'],
    ['..', '..', '..'],
  ]) {
    const file = path.join(__dirname, ...up, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'vpc-route-failover') return pkg.version ?? 'unknown';
  }
  return 'unknown';
};
