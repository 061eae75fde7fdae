/**
 * The layering of functions/ as rules (see the Layout of the design): contract ← domain ← aws ← one folder per
 * Lambda, which wires them. No upward import, no task importing another task, no cycle anywhere.
 * dependency-cruiser rather than Biome's restricted imports or eslint-plugin-boundaries: it resolves TypeScript
 * paths itself, knows type-only imports from value imports, and finds cycles across the whole graph.
 */
const TASK = '^functions/(?!contract/|domain/|aws/)[^/]+/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'A cycle makes two files one idea read in two places; split what both need into a third.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contract-imports-no-layer',
      severity: 'error',
      comment: 'The contract (state and config schemas, named errors, input parsing) stands alone.',
      from: { path: '^functions/contract/' },
      to: { path: '^functions/(?!contract/)' },
    },
    {
      name: 'domain-imports-only-contract',
      severity: 'error',
      comment: 'Decisions import the contract and each other; never an adapter or a task.',
      from: { path: '^functions/domain/' },
      to: { path: '^functions/(?!contract/|domain/)' },
    },
    {
      name: 'domain-sends-no-sdk-command',
      severity: 'error',
      comment: 'The domain may name an SDK type (a RouteTable), never import a client or a command.',
      from: { path: '^functions/(contract|domain)/' },
      to: { path: '@aws-sdk/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'aws-imports-no-task',
      severity: 'error',
      comment: 'Adapters serve the tasks; they import the contract and the domain only.',
      from: { path: '^functions/aws/' },
      to: { path: TASK },
    },
    {
      name: 'task-imports-no-other-task',
      severity: 'error',
      comment: 'What two tasks share belongs in a layer.',
      from: { path: '^functions/([^/]+)/' },
      to: { path: TASK, pathNot: '^functions/$1/' },
    },
    {
      name: 'layer-is-a-folder',
      severity: 'error',
      comment: 'Every file of functions/ sits in a layer or in the folder of the Lambda it wires.',
      from: { path: '^functions/[^/]+$' },
      to: {},
    },
    {
      name: 'product-imports-no-test-code',
      severity: 'error',
      comment: 'The simulator, the tests and the benches may use the product, never the other way round.',
      from: { path: '^(functions|infra)/' },
      to: { path: '^(sim|test|bench|cli)/' },
    },
    {
      name: 'functions-import-no-infra',
      severity: 'error',
      comment: 'A Lambda bundle must not pull in aws-cdk-lib.',
      from: { path: '^functions/' },
      to: { path: '^(infra/|node_modules/(aws-cdk-lib|constructs)/)' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)cdk\\.out/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
