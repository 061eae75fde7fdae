#!/usr/bin/env node
'use strict';

// In the repository the CLI is TypeScript run as is: tsx (a development dependency) compiles it on load, so there
// is no build step to forget. The packed package has no TypeScript sources: it runs the JavaScript `npm run build`
// compiled into dist/, with production dependencies only.
const path = require('node:path');
const source = path.join(__dirname, '..', 'route-failover', 'main.ts');
if (require('node:fs').existsSync(source)) {
  require('tsx/cjs');
  require(source);
} else {
  require(path.join(__dirname, '..', '..', 'dist', 'cli', 'route-failover', 'main.js'));
}
