import { type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// The checks themselves (cdk-nag, a development dependency) are in nag-checks.ts: the constructs only acknowledge,
// which needs aws-cdk-lib alone, so a CDK app using the package runs without cdk-nag.

/**
 * Acknowledges one cdk-nag finding on `scope` and what lies below it, never more: call it on the construct that
 * owns the finding (a policy, a queue), with the finding's full ID (`AwsSolutions-IAM5[Resource::*]`, not the
 * bare rule), and a reason a security reviewer can check.
 */
export const acknowledgeFinding = (scope: IConstruct, id: string, reason: string): void => {
  // The IAM rules report each finding with what it concerns (`[Resource::…]`, `[Action::…]`, `[Policy::…]`); the
  // bare rule would also cover every finding added later, under a reason written for another.
  if (/^AwsSolutions-IAM[45]$/.test(id)) {
    throw new Error(
      `${scope.node.path}: acknowledge one finding of ${id}, e.g. ${id}[Resource::<the ARN>], not the whole rule`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
};

/**
 * The ID AwsSolutions-IAM5 gives a wildcard `resource` of a policy in `stack`, e.g.
 * `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:route-table/*]`.
 * Built from the resolved value the same way cdk-nag flattens it (Ref -> <X>, GetAtt -> <X.Attr>, Join), so the
 * acknowledgement follows the ARN if the stack gets a concrete account or region.
 */
export const wildcardResourceFinding = (stack: Stack, resource: string): string =>
  `AwsSolutions-IAM5[Resource::${flatten(stack.resolve(resource))}]`;

const flatten = (node: unknown): string => {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const n = node as Record<string, unknown>;
  if (Array.isArray(n['Fn::Join'])) {
    const [delimiter, parts] = n['Fn::Join'] as [string, unknown[]];
    return parts.map(flatten).join(delimiter);
  }
  if (n.Ref !== undefined) return `<${flatten(n.Ref)}>`;
  if (Array.isArray(n['Fn::GetAtt'])) {
    const [resource, attribute] = n['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  return JSON.stringify(node);
};
