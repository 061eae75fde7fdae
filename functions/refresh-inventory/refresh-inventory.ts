import type { EC2Client } from '@aws-sdk/client-ec2';
import type { FailoverConfig } from '../contract/config';
import type { GroupStateStore } from '../domain/group-state';
import { mergeInventory } from '../domain/inventory';
import { describeMembers } from '../aws/members';

export interface RefreshInventoryDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  store: GroupStateStore;
  now?: () => Date;
}

export interface MemberRefresh {
  member: string;
  /** Interfaces stored, when EC2 showed any. */
  interfaces?: number;
  /** Why nothing was stored for this member (not described, or described without interfaces). */
  skipped?: string;
}

export interface RefreshInventoryResult {
  refreshedAt: string;
  groups: Array<{ group: string; members: MemberRefresh[]; error?: string }>;
}

/**
 * The scheduled inventory refresh: describes every member of every group and stores each one's interface
 * map, so the inventory exists before the first failure (a router terminated before any execution ran is
 * otherwise unknown). A member EC2 cannot describe, or shows without interfaces, keeps what was stored; an
 * interface EC2 no longer shows on a member stays remembered (mergeInventory).
 * One group's failure never stops the others; the result says what was stored and what was not.
 */
export const refreshInventory = async (deps: RefreshInventoryDeps): Promise<RefreshInventoryResult> => {
  const now = deps.now ?? (() => new Date());
  const groups: RefreshInventoryResult['groups'] = [];
  for (const group of deps.config.groups) {
    try {
      const [views, stored] = await Promise.all([
        describeMembers(deps.ec2, group, now()),
        deps.store.readInventory(group.name),
      ]);
      const members: MemberRefresh[] = [];
      for (const v of views.values()) {
        if (v.observed) {
          await deps.store.writeInventory(group.name, mergeInventory(stored[v.name], v.observed));
          members.push({ member: v.name, interfaces: v.observed.interfaces.length });
        } else {
          const why = v.describeFailure
            ? `${v.describeFailure.code}: ${v.describeFailure.message}`
            : `${v.state} with no interface attached`;
          members.push({ member: v.name, skipped: `${why}; the stored inventory is kept` });
        }
      }
      groups.push({ group: group.name, members });
    } catch (err) {
      groups.push({ group: group.name, members: [], error: `${(err as Error).name}: ${(err as Error).message}` });
    }
  }
  return { refreshedAt: now().toISOString(), groups };
};
