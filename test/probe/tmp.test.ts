import { exampleConfig, synth } from '../infra/synth';
it('x', () => {
  const c: any = exampleConfig();
  c.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] };
  c.groups[0].members[0].probeAddress = '10.0.1.10';
  c.groups[0].members[1].probeAddress = '10.0.2.10';
  const { template } = synth(c);
  const res = template.toJSON().Resources;
  for (const [k, v] of Object.entries<any>(res)) if (/Probe/.test(k) && /Policy|Role/.test(v.Type)) console.log(k, JSON.stringify(v, null, 1).slice(0, 3000));
  for (const [k, v] of Object.entries<any>(res)) if (/TopicPolicy|AWS::KMS::Key/.test(v.Type)) console.log(k, JSON.stringify(v.Properties, null, 1).slice(0, 6000));
  const fn = Object.entries<any>(res).find(([k, v]) => v.Type === 'AWS::Lambda::Function' && /Probe/.test(k))!;
  console.log(JSON.stringify(fn[1].Properties.VpcConfig), fn[1].DependsOn);
});
