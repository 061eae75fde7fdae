import { createHash } from 'node:crypto';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Logical IDs as they were before the stack was split into named constructs (infra/constructs/). A deployed
 * stack must keep them: a new logical ID makes CloudFormation create a second resource and delete the first, and
 * for the retained table and keys that means a new, empty table (leases and switch history lost) and orphaned
 * ones; for the named topic, alarms and rules, a create that fails because the name is taken.
 *
 * The named constructs that only group resources register themselves here; FailoverStack leaves their IDs out of
 * the path when it allocates a logical ID, which then comes out exactly as CDK computed it when the resources sat
 * directly in the stack. A RouteFailover in any other stack gets CDK's usual IDs (the grouping constructs included).
 */
const grouping = new WeakSet<IConstruct>();

/** Marks `construct` as one whose ID FailoverStack leaves out of the logical IDs of everything inside it. */
export const groupsWithoutLogicalId = (construct: IConstruct): void => void grouping.add(construct);

/**
 * The logical ID of `element` with the grouping constructs left out of its path. CDK's own algorithm
 * (makeUniqueId in aws-cdk-lib core, not exported): the path below the stack without "Default" components, as is
 * for a single component, otherwise the alphanumeric components (without "Resource" and without a component the
 * previous one already ends with) and the first 8 hex digits of the MD5 of the path joined by "/".
 */
export const flatLogicalId = (element: CfnElement): string => {
  const scopes = element.node.scopes;
  const below = scopes.slice(scopes.indexOf(Stack.of(element)) + 1);
  return uniqueId(below.filter((c) => !grouping.has(c)).map((c) => c.node.id));
};

/** Whether any construct on `element`'s path is a grouping one (its logical ID then differs from CDK's usual). */
export const isInGrouping = (element: CfnElement): boolean => element.node.scopes.some((c) => grouping.has(c));

const uniqueId = (path: string[]): string => {
  const components = path.filter((x) => x !== 'Default');
  const alnum = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
  if (components.length === 1 && alnum(components[0]).length <= 255) return alnum(components[0]);
  const hash = createHash('md5').update(components.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const c of components) if (human.length === 0 || !human[human.length - 1].endsWith(c)) human.push(c);
  return (
    human
      .filter((x) => x !== 'Resource')
      .map(alnum)
      .join('')
      .slice(0, 240) + hash
  );
};
