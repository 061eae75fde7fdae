import { StateMachine } from 'aws-local-stepfunctions';
import { loadDefinition } from '../../cli/local/local-runner';
it('times', async () => {
  for (let i = 0; i < 3; i++) {
    const t = Date.now();
    new StateMachine(loadDefinition() as never, { validationOptions: { checkArn: true, checkPaths: true } });
    console.log('construct', Date.now() - t);
  }
});
