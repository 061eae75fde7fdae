/**
 * Installed for every test file (jest setupFilesAfterEnv): each execution the local runner completes with a
 * record saying `succeeded` or `noop` is checked against the simulator's route tables (test/network-truth.ts),
 * so a future false success fails the test that produced it, whoever wrote the test and whatever it asserts.
 * Only files that run executions load the runner; the others pay nothing.
 */
const testPath: string = expect.getState().testPath ?? '';
const RUNS_EXECUTIONS = /[\\/]test[\\/](workflow|e2e|cli|sim|bench|probe)[\\/]/;

if (RUNS_EXECUTIONS.test(testPath)) {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const truth = require('./network-truth') as typeof import('./network-truth');
  const runner = require('../cli/local/local-runner') as typeof import('../cli/local/local-runner');
  const tasks = require('../cli/local/task-handlers') as typeof import('../cli/local/task-handlers');
  const { SimulatedVpc } = require('../sim') as typeof import('../sim');

  const ec2 = SimulatedVpc.prototype.ec2;
  SimulatedVpc.prototype.ec2 = function (this: InstanceType<typeof SimulatedVpc>) {
    const client = ec2.call(this);
    truth.rememberClient(client, this);
    return client;
  };
  const create = tasks.createTaskHandlers;
  (tasks as { createTaskHandlers: typeof create }).createTaskHandlers = (deps) => {
    const handlers = create(deps);
    truth.rememberHandlers(handlers, deps);
    return handlers;
  };
  const run = runner.runExecution;
  (runner as { runExecution: typeof run }).runExecution = async (opts) => {
    const result = await run(opts);
    truth.assertNetworkTruth(opts.handlers as Record<string, unknown>, result.output);
    return result;
  };
  // NETWORK_TRUTH_REPORT=1 prints, per file, the executions checked, those claiming success that could not be
  // checked, and the others.
  if (process.env.NETWORK_TRUTH_REPORT)
    afterAll(() =>
      console.log(
        `network truth: ${truth.coverage.checked} checked, ${truth.coverage.skipped} skipped, ` +
          `${truth.coverage.other} other in ${testPath}`,
      ),
    );
}
