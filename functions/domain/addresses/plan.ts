/**
 * The address plan: from a fresh read of the group's Elastic IPs and the members' interfaces, which addresses move
 * to the target, where, and which cannot, decided before anything moves.
 *
 * Rules (docs/addresses.md):
 * - an address follows the slot of the interface it is on (eth1's Elastic IP goes to the target's eth1), or the
 *   slot the config names; on nothing, it goes to the configured slot, else eth0;
 * - the private IP keeps its position: primary to primary, the k-th secondary to the target interface's k-th
 *   secondary; an Elastic IP on a secondary private IP the group moves travels with it (EC2 moves it along);
 * - a secondary private IP moves only within its subnet (AssignPrivateIpAddresses), so never across zones;
 * - an address an instance or interface outside the group holds is a conflict: reported, never taken; a
 *   destination private IP that holds an Elastic IP outside the plan is never taken either (EC2 would displace it);
 * - two addresses never go to one private IP.
 */
import {
  BLOCKING_REASONS,
  slotName,
  inventorySlot,
  type AddressItem,
  type AddressPlace,
  type AddressRead,
  type AddressSelection,
  type CannotMoveReason,
  type InterfaceRead,
  type MemberAddressView,
} from './model';

export interface AddressPlanInput {
  /** The member the addresses go to. */
  target: string;
  members: MemberAddressView[];
  /** A fresh DescribeAddresses of the selection (by allocation ID or tag). */
  addresses: AddressRead[];
  selection: AddressSelection;
  /** Interfaces outside the members that hold a listed secondary private IP now. */
  others?: InterfaceRead[];
  /** Subnet CIDRs, when read: a secondary IP on nothing must fall in the target interface's subnet. */
  subnetCidrs?: Record<string, string>;
}

export interface AddressPlan {
  target: string;
  /** Secondary private IPs first (an Elastic IP riding on one is checked after it), then Elastic IPs. */
  items: AddressItem[];
  moves: number;
  noops: number;
  /** Items that cannot move (conflicts included). */
  cannotMove: AddressItem[];
  /** Of those, the ones that make the run refuse before anything moves (BLOCKING_REASONS). */
  blocking: AddressItem[];
}

interface Holder {
  iface: InterfaceRead;
  member?: MemberAddressView;
}

const ipv4ToInt = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
const inCidr = (ip: string, cidr: string): boolean => {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const n = ipv4ToInt(ip);
  return n >= ipv4ToInt(base) && n < ipv4ToInt(base) + size;
};

/** Plans every address of the selection (see the module comment); pure, from the read given. */
export const planAddressMoves = (input: AddressPlanInput): AddressPlan => {
  const target = input.members.find((m) => m.name === input.target);
  if (!target) throw new Error(`planAddressMoves: target ${input.target} is not among the members`);
  const byEni = new Map<string, Holder>();
  for (const m of input.members) for (const i of m.interfaces) byEni.set(i.eni, { iface: i, member: m });
  for (const i of input.others ?? []) if (!byEni.has(i.eni)) byEni.set(i.eni, { iface: i });
  const memberOfEni = (eni: string, instanceId?: string): MemberAddressView | undefined =>
    byEni.get(eni)?.member ??
    input.members.find(
      (m) => (instanceId !== undefined && m.instanceId === instanceId) || (m.knownEnis ?? []).includes(eni),
    );
  const targetIface = (slot: string): InterfaceRead | undefined =>
    target.interfaces.find((i) => i.slot === inventorySlot(slot));
  const slotOfEni = (eni: string): string | undefined => {
    const s = byEni.get(eni)?.iface.slot;
    return s === undefined ? undefined : slotName(s);
  };
  const place = (eni: string, privateIp: string, instanceId?: string): AddressPlace => {
    const m = memberOfEni(eni, instanceId);
    return { eni, privateIp, ...(m ? { member: m.name, instanceId: m.instanceId } : instanceId ? { instanceId } : {}) };
  };
  const refuse = (item: AddressItem, reason: CannotMoveReason, problem: string): AddressItem => ({
    ...item,
    action: 'none',
    status: 'cannot-move',
    reason,
    problem,
  });

  // ── secondary private IPs ──
  const secondaryItems = new Map<string, AddressItem>();
  for (const { ip, slot: configured } of input.selection.secondaryIps) {
    const holder = [...byEni.values()].find((h) => h.iface.ips.some((x) => x.ip === ip));
    const held = holder?.iface.ips.find((x) => x.ip === ip);
    const slot = configured ?? (holder?.iface.slot !== undefined ? slotName(holder.iface.slot) : 'eth0');
    const base: AddressItem = {
      kind: 'secondary-ip',
      id: ip,
      slot,
      action: 'assign',
      status: 'move',
      ...(holder ? { from: place(holder.iface.eni, ip, holder.iface.instanceId) } : {}),
    };
    const dest = targetIface(slot);
    let item: AddressItem;
    if (holder && held?.primary)
      item = refuse(
        base,
        'primary-ip',
        `${ip} is the primary address of ${holder.iface.eni}: only a secondary private IP can move`,
      );
    else if (holder && !holder.member && !memberOfEni(holder.iface.eni, holder.iface.instanceId)) {
      item = refuse(
        base,
        'held-elsewhere',
        `${ip} is on ${holder.iface.eni}${holder.iface.instanceId ? ` of ${holder.iface.instanceId}` : ''}, outside ` +
          `the group: a conflict, not taken`,
      );
    } else if (!dest) item = refuse(base, 'no-target-interface', `${input.target} has no interface in slot ${slot}`);
    else if (holder && holder.iface.eni === dest.eni)
      item = { ...base, to: place(dest.eni, ip, target.instanceId), action: 'none', status: 'noop' };
    else if (holder && holder.iface.subnetId !== dest.subnetId) {
      const zones =
        holder.iface.availabilityZone &&
        dest.availabilityZone &&
        holder.iface.availabilityZone !== dest.availabilityZone
          ? ` (${holder.iface.availabilityZone} → ${dest.availabilityZone})`
          : '';
      item = refuse(
        { ...base, to: place(dest.eni, ip, target.instanceId) },
        'cross-subnet',
        `${ip} is in ${holder.iface.subnetId}, ${input.target}'s ${slot} in ${dest.subnetId}${zones}: a secondary ` +
          `private IP moves only within its subnet`,
      );
    } else if (!holder && input.subnetCidrs?.[dest.subnetId] && !inCidr(ip, input.subnetCidrs[dest.subnetId])) {
      item = refuse(
        { ...base, to: place(dest.eni, ip, target.instanceId) },
        'cross-subnet',
        `${ip} is outside ${dest.subnetId} (${input.subnetCidrs[dest.subnetId]}) of ${input.target}'s ${slot}`,
      );
    } else item = { ...base, to: place(dest.eni, ip, target.instanceId) };
    secondaryItems.set(ip, item);
  }

  // ── Elastic IPs ──
  const wanted = input.selection.allocationIds ?? input.addresses.map((a) => a.allocationId);
  const byAllocation = new Map(input.addresses.map((a) => [a.allocationId, a]));
  const eipItems: AddressItem[] = [];
  for (const allocationId of wanted) {
    const a = byAllocation.get(allocationId);
    const configured = input.selection.slots[allocationId];
    const base: AddressItem = {
      kind: 'elastic-ip',
      id: allocationId,
      slot: configured ?? 'eth0',
      action: 'associate',
      status: 'move',
      ...(a ? { publicIp: a.publicIp } : {}),
    };
    if (!a) {
      eipItems.push(refuse(base, 'not-found', `${allocationId} is not an Elastic IP of this account and region`));
      continue;
    }
    if (!a.eni || !a.privateIp) {
      // On nothing: to the configured slot's primary private IP (eth0 by default).
      const dest = targetIface(base.slot);
      const primary = dest?.ips.find((x) => x.primary);
      if (!dest || !primary)
        eipItems.push(refuse(base, 'no-target-interface', `${input.target} has no interface in slot ${base.slot}`));
      else eipItems.push({ ...base, to: place(dest.eni, primary.ip, target.instanceId) });
      continue;
    }
    const from = place(a.eni, a.privateIp, a.instanceId);
    const withFrom: AddressItem = { ...base, from, slot: configured ?? slotOfEni(a.eni) ?? 'eth0' };
    if (!from.member) {
      eipItems.push(
        refuse(
          withFrom,
          'held-elsewhere',
          `${a.publicIp} is on ${a.eni}${a.instanceId ? ` of ${a.instanceId}` : ''}, ` +
            `outside the group: a conflict, not taken`,
        ),
      );
      continue;
    }
    // On a secondary private IP the group moves: it travels with that IP.
    const carrier = secondaryItems.get(a.privateIp);
    if (carrier) {
      if (carrier.status === 'noop')
        eipItems.push({ ...withFrom, to: carrier.to, action: 'none', status: 'noop', carriedBy: carrier.id });
      else if (carrier.status === 'cannot-move') {
        eipItems.push(
          refuse(
            { ...withFrom, carriedBy: carrier.id },
            'carrier-cannot-move',
            `${a.publicIp} is on ${carrier.id}, which cannot move: ${carrier.problem}`,
          ),
        );
      } else
        eipItems.push({
          ...withFrom,
          slot: carrier.slot,
          to: carrier.to,
          action: 'with-secondary',
          carriedBy: carrier.id,
        });
      continue;
    }
    const dest = targetIface(withFrom.slot);
    if (!dest) {
      eipItems.push(
        refuse(withFrom, 'no-target-interface', `${input.target} has no interface in slot ${withFrom.slot}`),
      );
      continue;
    }
    // The position of the private IP it is on: primary, or the k-th secondary.
    const sourceIps = byEni.get(a.eni)?.iface.ips ?? [];
    const sourceIp = sourceIps.find((x) => x.ip === a.privateIp);
    const position =
      !sourceIp || sourceIp.primary
        ? 0
        : sourceIps.filter((x) => !x.primary).findIndex((x) => x.ip === a.privateIp) + 1;
    const destIps = [dest.ips.find((x) => x.primary), ...dest.ips.filter((x) => !x.primary)];
    const destIp = configured !== undefined && sourceIp === undefined ? destIps[0] : destIps[position];
    if (!destIp) {
      eipItems.push(
        refuse(
          withFrom,
          'no-paired-ip',
          `${a.publicIp} is on ${a.privateIp}, secondary #${position} of ${a.eni}; ${input.target}'s ` +
            `${withFrom.slot} (${dest.eni}) has no secondary #${position}`,
        ),
      );
      continue;
    }
    const to = place(dest.eni, destIp.ip, target.instanceId);
    if (a.eni === to.eni && a.privateIp === to.privateIp)
      eipItems.push({ ...withFrom, to, action: 'none', status: 'noop' });
    else eipItems.push({ ...withFrom, to });
  }

  // Two addresses never go to one private IP, and an Elastic IP outside the plan is never displaced.
  const ours = new Set(wanted);
  const taken = new Map<string, string>();
  const settled = [...secondaryItems.values(), ...eipItems].filter(
    (i) => i.kind === 'elastic-ip' && i.status === 'noop',
  );
  for (const i of settled) taken.set(`${i.to!.eni}|${i.to!.privateIp}`, i.id);
  const checked = eipItems.map((i) => {
    if (i.status !== 'move' || i.action !== 'associate' || !i.to) return i;
    const key = `${i.to.eni}|${i.to.privateIp}`;
    const there = byEni.get(i.to.eni)?.iface.ips.find((x) => x.ip === i.to!.privateIp)?.allocationId;
    if (there && !ours.has(there))
      return refuse(
        i,
        'destination-taken',
        `${i.to.privateIp} on ${i.to.eni} holds ${there}, an Elastic IP outside the group: not displaced`,
      );
    if (taken.has(key))
      return refuse(i, 'destination-taken', `${i.to.privateIp} on ${i.to.eni} is where ${taken.get(key)} goes too`);
    taken.set(key, i.id);
    return i;
  });

  const items = [...secondaryItems.values(), ...checked];
  const cannotMove = items.filter((i) => i.status === 'cannot-move');
  return {
    target: input.target,
    items,
    moves: items.filter((i) => i.status === 'move').length,
    noops: items.filter((i) => i.status === 'noop').length,
    cannotMove,
    blocking: cannotMove.filter((i) => BLOCKING_REASONS.has(i.reason!)),
  };
};
