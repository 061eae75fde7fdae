import {
  DEFAULT_STACK,
  GROUP_STATE_TABLE_OUTPUT,
  STATE_MACHINE_ENV,
  STATE_MACHINE_OUTPUT,
  STATE_TABLE_ENV,
} from './context';

/** `--help` texts of route-failover, per command ('main' for the command list). */

const COMMON_HELP = `Where things come from:
  --config FILE             failover config (the same JSON as cdk.json context "failover");
                            default: failover.json, else cdk.json context "failover", in the
                            current directory (never an example unless named)
  --state-machine-arn ARN   the workflow; default: env ${STATE_MACHINE_ENV},
                            else the "${STATE_MACHINE_OUTPUT}" output of the CloudFormation stack
  --stack NAME              stack to read that output from (default ${DEFAULT_STACK})
  --state-table NAME        (hold, unhold, status, prepare) the group-state DynamoDB table; default: env
                            ${STATE_TABLE_ENV}, else the "${GROUP_STATE_TABLE_OUTPUT}" output of the stack
  --profile NAME            AWS profile of the shared config and credentials files (~/.aws/config,
                            ~/.aws/credentials); default: env AWS_PROFILE, else "default"
  --region REGION           default: env AWS_REGION, else env AWS_DEFAULT_REGION, else the region of
                            --state-machine-arn, else the profile's region in ~/.aws/config
  --output json|table       json: one JSON document on stdout (progress and errors go to stderr);
                            table (default): text for people. --json is short for --output json
  --version                 the CLI's version
  -h, --help                this help

Exit codes: 0 ok, 1 the operation failed (execution failed or partial, AWS error; status: a group
needs attention), 2 request refused before anything was started (usage, config, validation),
3 --wait gave up at --timeout while the execution was still running (it keeps running).`;

export const HELP: Record<string, string> = {
  main: `route-failover: move a router group's VPC routes on purpose, see where they point, read the audit log.

Usage: route-failover COMMAND [options]

Commands:
  switchover --group G [--to MEMBER] [--reason TEXT] [--dry-run] [--wait]
                            move the group's routes to MEMBER (default: the peer of the active member)
  failback --group G [--reason TEXT] [--dry-run] [--wait]
                            move the group's routes back to its preferred member
  status [--group G] [--routes]
                            where each group's routes point now, read from the route tables
  guard [--group G] [--converge]
                            one route guard pass now: routes that break the route-table invariant
  prepare --group G [--dry-run]
                            build and correct the twin route tables of an associations-mode group
  history [--group G] [--since 7d]
                            the audit log: one line per execution
  history show EXECUTION    one execution in full (name or ARN)
  hold --group G --for D --reason TEXT
                            maintenance hold: automatic failover of G ends as a held no-op for D
  unhold --group G          end G's maintenance hold now
  init --vpc VPC --member NAME[=INSTANCE] --member …
                            a config for a new group, from the members' interfaces and the route
                            tables with routes to them (read from EC2)

Run "route-failover COMMAND --help" for a command's options.

${COMMON_HELP}`,
  switchover: `Usage: route-failover switchover --group G [--to MEMBER] [--reason TEXT] [--dry-run] \
[--wait [--timeout D]] [--requested-by WHO]

Moves every route of group G that points at another member to the paired interfaces of MEMBER, with the
Step Functions workflow (validated, retried, verified, notified, audited). Before starting anything it
checks the request against the config and the route tables: an unknown group or member, a target that is
already active or not running, or routes split between members without --to are refused (exit 2).

  --group G            the failover group (required)
  --to MEMBER          target member; default: the running peer of the member the routes point at now
  --reason TEXT        why (recorded in the audit record and the notification), e.g. "patch router-a (CHG-1042)"
  --dry-run            plan and call ReplaceRoute with EC2's DryRun flag for each route: nothing changes,
                       missing permissions show up now
  --wait               follow the execution state by state (routes done / total, retries; at least every
                       5 s the elapsed time and the current state) and exit with its outcome:
                       0 succeeded / no-op / dry run, 1 failed / partial
  --timeout DURATION   with --wait: stop waiting after DURATION (90s, 10m, 1h or seconds) and exit 3;
                       the execution keeps running (default: wait until it ends)
  --requested-by WHO   who asks (default: your AWS identity, from STS GetCallerIdentity)
  --plan               print every route that would move (route table and its Name tag, destination,
                       current target -> new target) from the live tables, as the workflow would plan it;
                       in the associations mode, each association move (subject, from table -> to table)
                       and each table switched route by route with why, first; start nothing, exit 0

The execution is named switchover-G-YYYYMMDDTHHMMSSZ (plus -dryrun for a dry run).

Example:
  route-failover switchover --group onprem-edge --to router-b --reason "patch router-a (CHG-1042)" --wait

${COMMON_HELP}`,
  failback: `Usage: route-failover failback --group G [--reason TEXT] \
[--dry-run] [--wait [--timeout D]] [--requested-by WHO]

A switchover back to the group's preferred member (config "preferred"). Refused (exit 2) when the group
has no preferred member, or the preferred member is already active or not running.

  --group G            the failover group (required)
  --reason TEXT        why (recorded in the audit record)
  --dry-run            rehearse: ReplaceRoute with DryRun for each route, nothing changes
  --wait               follow the execution and exit with its outcome
  --timeout DURATION   with --wait: stop waiting after DURATION and exit 3 (the execution keeps running)
  --requested-by WHO   who asks (default: your AWS identity)
  --plan               print every route that would move, from the live tables; start nothing, exit 0

Example:
  route-failover failback --group onprem-edge --reason "router-a patched" --wait

${COMMON_HELP}`,
  guard: `Usage: route-failover guard [--group G] [--converge] [--state-table T]

One pass of the route guard (docs/guard.md) from here, against the deployed stack: for each group (or G), the
route tables read from EC2 now, judged against the active member (the last switch's target, from the group-state
table, or the member most routes lead to): routes on another member (departed, split), blackholes on a member's
interface, tables in scope the last switch did not know (new-table), and tables outside the scope that subnets
use and that route to a member (scope-gap); with addresses, any of the group's not on the active member (address).
Tables tagged route-failover:guard = ignore are left alone.
Nothing is stored or notified: the deployed guard does that on its schedule.

  --converge           start the switchover to the active member now when routes lead to another member
                       (StartExecution named after the finding set: a repeat starts nothing); never while
                       a hold stands or a switch runs, never toward a member that fails the health gate
  --state-table T      the group-state table (default: the stack's GroupStateTable output)

Exit 1 while a finding stands or a group could not be checked; --json prints the whole report.`,
  status: `Usage: route-failover status [--group G] [--routes]

The first line names the account (STS GetCallerIdentity), the region and the stack. For each group (or G),
read from EC2 now: the active member (the one the routes point at), routes per
member, blackhole routes, routes split between members (INCONSISTENT), each member's instance state, and
the group's last execution (among the newest 25).

  --routes             also list every interface route per route table: tables whose routes are split
                       between members (SPLIT), blackholes, and routes in tables outside the group's
                       scope that point at a member's interface (they will not fail over)

A maintenance hold in force is shown (HELD until …, by whom, why), read from the group-state table.

For a group in the associations mode: only route tables with an association (subnet, gateway, main) count
as carrying traffic, and each original table's twins are listed per member: OK, DRIFTED (the first
differences from what the twin must hold) or MISSING; "route-failover prepare" fixes them.

Exit code 1 when a group needs attention: routes split between members, blackhole routes, the active
member not running, no running standby (NO HEALTHY STANDBY), a member instance not found, or a twin
table MISSING, DRIFTED or NOT BUILDABLE. --json
shows "consistent": false for a split group.

${COMMON_HELP}`,
  prepare: `Usage: route-failover prepare --group G [--dry-run]

For a group with "switchMode": "associations": makes every twin route table true now, with your AWS
credentials (the same reconcile the stack runs on its schedule and on route-table changes). For each route
table of the group's scope with routes to a member, and each member the routes do not point at already,
the twin holds the same routes with every member interface replaced by that member's interface in the
same slot, and the same VGW route propagation. Missing twins are created (tagged route-failover:twin-of,
route-failover:twin-member, route-failover:twin-group, and a Name); routes are created, replaced or deleted
in the twins only: never in an original table. Member interfaces come from EC2, else from the member inventory
of the group-state table (when it can be found).

Reported, never changed: twins whose original is gone or out of scope (orphans: an unassociated one can be
removed with "aws ec2 delete-route-table --route-table-id ID"), tables with only some twin tags, and
members whose interfaces have no pair in the same slot (NOT BUILDABLE).

  --group G            the group (required; must be in the associations mode)
  --dry-run            print what would be created and changed; change nothing

Exit code 1 when a table could not be reconciled (its error is printed); 0 otherwise.

Example:
  route-failover prepare --group onprem-edge --dry-run

${COMMON_HELP}`,
  hold: `Usage: route-failover hold --group G --for DURATION --reason TEXT

Puts group G under a maintenance hold for DURATION (90m, 2h, 1d; at most 7d). While it holds, automatic
triggers (EC2 instance events, status-check alarms, health-probe requests, automatic failback) end as a
no-op marked "held", notified at warning severity ([HELD] in the subject); manual switchover and failback
still run. The hold ends by itself; unhold ends it earlier. A new hold replaces the one in force.

It is stored in the group's item of the group-state table (attribute "hold": until, who set it (your
identity, from STS GetCallerIdentity) and why), with an update of that attribute alone: the lease, the
switch history and the member inventory are left as they are. status shows it.

  --group G            the failover group (required)
  --for DURATION       how long (required)
  --reason TEXT        why (required; at most 512 characters), e.g. "firmware upgrade (CHG-2001)"

Example:
  route-failover hold --group onprem-edge --for 2h --reason "firmware upgrade router-a (CHG-2001)"

${COMMON_HELP}`,
  unhold: `Usage: route-failover unhold --group G

Ends group G's maintenance hold now: automatic failover is back on. Removes the "hold" attribute of the
group's item and nothing else. A group without a hold is left as it is (exit 0).

${COMMON_HELP}`,
  history: `Usage: route-failover history [--group G] [--since 7d] [--limit 200]
       route-failover history show EXECUTION

The first line names the account, the region and the stack. Then the audit log, newest first: start time (UTC), \
trigger (event / alarm / probe / manual), requester, reason,
from -> to, routes changed, outcome, duration, execution name.

  --group G            only executions for group G
  --since WHEN         how far back: a duration (30m, 2h, 7d, 2w) or an ISO date or time (2026-11-01,
                       2026-11-25T14:00:00Z); default 7d (Step Functions keeps execution history 90 days)
  --limit N            read at most N executions (default 200)

"history show EXECUTION" (a name from the list, or an execution ARN) prints one execution in full:
every route before/after, status, attempts, errors, verification, retries and caught errors from the
execution history, and each state's timing.

${COMMON_HELP}`,
  init: `Usage: route-failover init --vpc VPC --member NAME[=INSTANCE] --member NAME[=INSTANCE] … [--group G] \
[--preferred MEMBER] [--switch-mode MODE]

Prints a failover config (the JSON of cdk.json context "failover") for one new group, read from EC2:
each member's instance and interfaces (DescribeInstances), and the route tables of the VPC that have
routes to those interfaces (DescribeRouteTables with a vpc-id filter, paginated; routes matched to the
interfaces in code). The route-table scope is the tag those tables share (when exactly they carry it),
else the list of their IDs. Check it, then save it as failover.json beside cdk.json (what cdk synth
and this CLI read by default) or pass it with --config / -c failoverFile=.

  --vpc VPC            the VPC of the routers (required)
  --member NAME=ID     a member: its name in the config and its instance ID (i-…); at least two
  --member NAME        a member found by its Name tag in the VPC (it must match exactly one instance)
  --group G            the group's name (default: the VPC ID)
  --preferred MEMBER   the member failback returns to (default: the member the routes point at now)
  --switch-mode MODE   "routes" (the default: each route is replaced) or "associations" (subnets move to
                       standby twin tables; build them next with route-failover prepare)

Example:
  route-failover init --vpc vpc-0123456789abcdef0 --member \
router-a=i-0a1b2c3d4e5f60001 --member router-b > failover.json

The config goes to stdout (always JSON); what was found, and anything to fix first (source/destination
check on, a member in another VPC), goes to stderr.

${COMMON_HELP}`,
};
