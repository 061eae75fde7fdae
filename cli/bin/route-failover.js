#!/usr/bin/env node

// The CLI is TypeScript run as is: tsx compiles it on load, so there is no build step to forget.
require('tsx/cjs');
require('../route-failover/main.ts');
