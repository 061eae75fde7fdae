/** The address plan, verify-one and the invariant's address clause, on hand-made reads and on generated ones. */
import fc from 'fast-check';
import {
  addressSelectionOf,
  checkAddressInvariant,
  planAddressMoves,
  refusalOf,
  renderAddressItem,
  summarizeAddressPlan,
  verifyAddressItem,
  type AddressItem,
  type AddressRead,
  type AddressSelection,
  type InterfaceRead,
  type MemberAddressView,
} from '../../functions/domain/addresses';

const iface = (
  eni: string,
  slot: string,
  subnetId: string,
  az: string,
  instanceId: string,
  ips: Array<[string, boolean, string?]>,
): InterfaceRead => ({
  eni,
  slot,
  subnetId,
  availabilityZone: az,
  instanceId,
  ips: ips.map(([ip, primary, allocationId]) => ({ ip, primary, ...(allocationId ? { allocationId } : {}) })),
});

/** router-a (us-east-1a) and router-b (us-east-1b), eth0 and eth1 each; router-c in router-a's subnets. */
const estate = () => {
  const a: MemberAddressView = {
    name: 'router-a',
    instanceId: 'i-0aaaaaaaaaaaaaaa1',
    interfaces: [
      iface('eni-0a0', '0/0', 'subnet-a-out', 'us-east-1a', 'i-0aaaaaaaaaaaaaaa1', [
        ['10.0.1.10', true, 'eipalloc-out'],
        ['10.0.1.50', false],
      ]),
      iface('eni-0a1', '0/1', 'subnet-a-in', 'us-east-1a', 'i-0aaaaaaaaaaaaaaa1', [
        ['10.0.3.10', true, 'eipalloc-in'],
        ['10.0.3.50', false, 'eipalloc-vip'],
      ]),
    ],
  };
  const b: MemberAddressView = {
    name: 'router-b',
    instanceId: 'i-0bbbbbbbbbbbbbbb1',
    interfaces: [
      iface('eni-0b0', '0/0', 'subnet-b-out', 'us-east-1b', 'i-0bbbbbbbbbbbbbbb1', [
        ['10.0.2.10', true],
        ['10.0.2.50', false],
      ]),
      iface('eni-0b1', '0/1', 'subnet-b-in', 'us-east-1b', 'i-0bbbbbbbbbbbbbbb1', [
        ['10.0.4.10', true],
        ['10.0.4.50', false],
      ]),
    ],
  };
  const c: MemberAddressView = {
    name: 'router-c',
    instanceId: 'i-0ccccccccccccccc1',
    interfaces: [
      iface('eni-0c0', '0/0', 'subnet-a-out', 'us-east-1a', 'i-0ccccccccccccccc1', [['10.0.1.20', true]]),
      iface('eni-0c1', '0/1', 'subnet-a-in', 'us-east-1a', 'i-0ccccccccccccccc1', [
        ['10.0.3.20', true],
        ['10.0.3.60', false],
      ]),
    ],
  };
  const addresses: AddressRead[] = [
    {
      allocationId: 'eipalloc-out',
      publicIp: '203.0.113.10',
      eni: 'eni-0a0',
      privateIp: '10.0.1.10',
      instanceId: a.instanceId,
      associationId: 'eipassoc-1',
    },
    {
      allocationId: 'eipalloc-in',
      publicIp: '203.0.113.11',
      eni: 'eni-0a1',
      privateIp: '10.0.3.10',
      instanceId: a.instanceId,
      associationId: 'eipassoc-2',
    },
    {
      allocationId: 'eipalloc-vip',
      publicIp: '203.0.113.12',
      eni: 'eni-0a1',
      privateIp: '10.0.3.50',
      instanceId: a.instanceId,
      associationId: 'eipassoc-3',
    },
  ];
  return { a, b, c, addresses };
};

const selection = (
  ids: string[],
  secondaryIps: AddressSelection['secondaryIps'] = [],
  slots: Record<string, string> = {},
): AddressSelection => ({ allocationIds: ids, slots, secondaryIps });

describe('planAddressMoves', () => {
  it('sends eth0 and eth1 Elastic IPs to the paired interfaces, primary to primary, across zones', () => {
    const { a, b, addresses } = estate();
    const plan = planAddressMoves({
      target: 'router-b',
      members: [a, b],
      addresses,
      selection: selection(['eipalloc-out', 'eipalloc-in']),
    });
    expect(plan.items.map((i) => [i.id, i.slot, i.action, i.to?.eni, i.to?.privateIp])).toEqual([
      ['eipalloc-out', 'eth0', 'associate', 'eni-0b0', '10.0.2.10'],
      ['eipalloc-in', 'eth1', 'associate', 'eni-0b1', '10.0.4.10'],
    ]);
    expect(plan).toMatchObject({ moves: 2, noops: 0, blocking: [] });
    expect(summarizeAddressPlan(plan)).toBe('2 address(es) to move, 0 already in place');
    expect(renderAddressItem(plan.items[0])).toBe(
      'Elastic IP 203.0.113.10 (eipalloc-out) eth0: router-a eni-0a0 10.0.1.10 → router-b eni-0b0 10.0.2.10',
    );
  });

  it('sends an Elastic IP on a secondary IP to the paired secondary of the target interface', () => {
    const { a, b, addresses } = estate();
    const plan = planAddressMoves({
      target: 'router-b',
      members: [a, b],
      addresses,
      selection: selection(['eipalloc-vip']),
    });
    expect(plan.items[0]).toMatchObject({
      status: 'move',
      slot: 'eth1',
      to: { eni: 'eni-0b1', privateIp: '10.0.4.50', member: 'router-b' },
    });
  });

  it('refuses a secondary private IP that would cross zones, and the Elastic IP on it, before anything moves', () => {
    const { a, b, addresses } = estate();
    const plan = planAddressMoves({
      target: 'router-b',
      members: [a, b],
      addresses,
      selection: selection(['eipalloc-vip', 'eipalloc-out'], [{ ip: '10.0.3.50' }]),
    });
    expect(plan.items.map((i) => [i.id, i.status, i.reason])).toEqual([
      ['10.0.3.50', 'cannot-move', 'cross-subnet'],
      ['eipalloc-vip', 'cannot-move', 'carrier-cannot-move'],
      ['eipalloc-out', 'move', undefined],
    ]);
    expect(plan.items[0].problem).toContain('(us-east-1a → us-east-1b)');
    const refusal = refusalOf(plan);
    expect(refusal?.name).toBe('AddressCannotMoveError');
    expect(refusal?.message).toContain('nothing was moved');
  });

  it('moves a secondary IP within its subnet with the Elastic IP riding on it (one write)', () => {
    const { a, c, addresses } = estate();
    const plan = planAddressMoves({
      target: 'router-c',
      members: [a, c],
      addresses,
      selection: selection(['eipalloc-vip', 'eipalloc-in'], [{ ip: '10.0.3.50' }]),
    });
    expect(plan.items.map((i) => [i.id, i.action, i.to?.eni, i.to?.privateIp])).toEqual([
      ['10.0.3.50', 'assign', 'eni-0c1', '10.0.3.50'],
      ['eipalloc-vip', 'with-secondary', 'eni-0c1', '10.0.3.50'],
      ['eipalloc-in', 'associate', 'eni-0c1', '10.0.3.20'],
    ]);
  });

  it(`reports an address an instance outside the group holds as a \
conflict, never takes it, and does not refuse the run for it`, () => {
    const { a, b, addresses } = estate();
    const stolen = addresses.map((x) =>
      x.allocationId === 'eipalloc-out'
        ? { ...x, eni: 'eni-0ffffffffffffff', privateIp: '10.0.1.99', instanceId: 'i-0fffffffffffffff0' }
        : x,
    );
    const plan = planAddressMoves({
      target: 'router-b',
      members: [a, b],
      addresses: stolen,
      selection: selection(['eipalloc-out']),
    });
    expect(plan.items[0]).toMatchObject({ status: 'cannot-move', reason: 'held-elsewhere', action: 'none' });
    expect(plan.blocking).toEqual([]);
  });

  it('moves an address on nothing to the target (the configured slot, else eth0), and finds noops', () => {
    const { a, b, addresses } = estate();
    const loose = addresses.map((x) =>
      x.allocationId === 'eipalloc-in' ? { allocationId: x.allocationId, publicIp: x.publicIp } : x,
    );
    const plan = planAddressMoves({
      target: 'router-a',
      members: [a, b],
      addresses: loose,
      selection: selection(['eipalloc-out', 'eipalloc-in'], [], { 'eipalloc-in': 'eth1' }),
    });
    expect(plan.items.map((i) => [i.id, i.status, i.to?.eni, i.to?.privateIp])).toEqual([
      ['eipalloc-out', 'noop', 'eni-0a0', '10.0.1.10'],
      ['eipalloc-in', 'move', 'eni-0a1', '10.0.3.10'],
    ]);
  });

  it('never displaces an Elastic IP outside the group, and never sends two to one private IP', () => {
    const { a, b, addresses } = estate();
    b.interfaces[0].ips[0].allocationId = 'eipalloc-foreign';
    const plan = planAddressMoves({
      target: 'router-b',
      members: [a, b],
      addresses,
      selection: selection(['eipalloc-out']),
    });
    expect(plan.items[0]).toMatchObject({ status: 'cannot-move', reason: 'destination-taken' });
    const { a: a2, b: b2, addresses: ad2 } = estate();
    const twoOnEth0 = [...ad2, { allocationId: 'eipalloc-free', publicIp: '203.0.113.20' }];
    const plan2 = planAddressMoves({
      target: 'router-b',
      members: [a2, b2],
      addresses: twoOnEth0,
      selection: selection(['eipalloc-out', 'eipalloc-free']),
    });
    expect(plan2.items.map((i) => i.reason)).toEqual([undefined, 'destination-taken']);
  });

  it(`names the missing slot, the missing paired secondary, \
a primary IP listed as secondary, an unknown allocation`, () => {
    const { a, b, addresses } = estate();
    b.interfaces = b.interfaces.slice(0, 1);
    b.interfaces[0].ips = b.interfaces[0].ips.slice(0, 1);
    const plan = planAddressMoves({
      target: 'router-b',
      members: [a, b],
      addresses,
      selection: { allocationIds: ['eipalloc-in', 'eipalloc-nope'], slots: {}, secondaryIps: [{ ip: '10.0.1.10' }] },
    });
    expect(plan.items.map((i) => i.reason)).toEqual(['primary-ip', 'no-target-interface', 'not-found']);
    const { a: a3, b: b3, addresses: ad3 } = estate();
    b3.interfaces[1].ips = b3.interfaces[1].ips.slice(0, 1);
    expect(
      planAddressMoves({
        target: 'router-b',
        members: [a3, b3],
        addresses: ad3,
        selection: selection(['eipalloc-vip']),
      }).items[0].reason,
    ).toBe('no-paired-ip');
  });

  it('reads the config selection: allocation IDs with slots, a tag, secondary IPs', () => {
    expect(
      addressSelectionOf({
        elasticIps: ['eipalloc-0123456789abcdef0', { allocationId: 'eipalloc-01234567', slot: 'eth1' }],
        secondaryPrivateIps: ['10.0.1.5', { ip: '10.0.1.6', slot: 'eth1' }],
      }),
    ).toEqual({
      allocationIds: ['eipalloc-0123456789abcdef0', 'eipalloc-01234567'],
      slots: { 'eipalloc-01234567': 'eth1' },
      secondaryIps: [{ ip: '10.0.1.5' }, { ip: '10.0.1.6', slot: 'eth1' }],
    });
    expect(addressSelectionOf({ elasticIps: { tag: { key: 'k', value: 'v' } } })).toEqual({
      tag: { key: 'k', value: 'v' },
      slots: {},
      secondaryIps: [],
    });
  });
});

describe('verifyAddressItem', () => {
  const item: AddressItem = {
    kind: 'elastic-ip',
    id: 'eipalloc-out',
    publicIp: '203.0.113.10',
    slot: 'eth0',
    from: { eni: 'eni-0a0', privateIp: '10.0.1.10', member: 'router-a' },
    to: { eni: 'eni-0b0', privateIp: '10.0.2.10', member: 'router-b' },
    action: 'associate',
    status: 'move',
  };
  const at = (eni?: string, privateIp?: string) => ({
    addresses: [{ allocationId: 'eipalloc-out', publicIp: '203.0.113.10', eni, privateIp }],
    interfaces: [],
  });
  it.each([
    [at('eni-0b0', '10.0.2.10'), 'verified'],
    [at('eni-0a0', '10.0.1.10'), 'not-moved'],
    [at('eni-0b0', '10.0.2.50'), 'elsewhere'],
    [at(), 'elsewhere'],
    [{ addresses: [], interfaces: [] }, 'gone'],
  ])('judges a read-back (%#) as %s', (read, status) => {
    expect(verifyAddressItem(item, read).status).toBe(status);
  });
  it('finds a secondary IP on its new interface, and not when it stayed', () => {
    const sec: AddressItem = {
      kind: 'secondary-ip',
      id: '10.0.3.50',
      slot: 'eth1',
      from: { eni: 'eni-0a1', privateIp: '10.0.3.50' },
      to: { eni: 'eni-0c1', privateIp: '10.0.3.50' },
      action: 'assign',
      status: 'move',
    };
    const on = (eni: string) => ({
      addresses: [],
      interfaces: [
        iface(eni, '0/1', 'subnet-a-in', 'us-east-1a', 'i-x', [
          ['10.0.3.9', true],
          ['10.0.3.50', false],
        ]),
      ],
    });
    expect(verifyAddressItem(sec, on('eni-0c1')).status).toBe('verified');
    expect(verifyAddressItem(sec, on('eni-0a1')).status).toBe('not-moved');
  });
});

describe('checkAddressInvariant', () => {
  const members = [
    { name: 'router-a', instanceId: 'i-a', enis: ['eni-0a0', 'eni-0a1'] },
    { name: 'router-b', instanceId: 'i-b', enis: ['eni-0b0', 'eni-0b1'] },
    { name: 'router-c', instanceId: 'i-c', enis: ['eni-0c0'] },
  ];
  it('holds when every address is on the target, and names each other place', () => {
    const ok = checkAddressInvariant({
      target: 'router-b',
      departed: ['router-a'],
      members,
      addresses: [{ allocationId: 'eipalloc-1', publicIp: '203.0.113.1', eni: 'eni-0b1', privateIp: '10.0.4.10' }],
    });
    expect(ok.findings).toEqual([]);
    const r = checkAddressInvariant({
      target: 'router-b',
      departed: ['router-a'],
      members,
      addresses: [
        { allocationId: 'eipalloc-1', publicIp: '203.0.113.1', eni: 'eni-0a0', privateIp: '10.0.1.10' },
        { allocationId: 'eipalloc-2', publicIp: '203.0.113.2' },
        { allocationId: 'eipalloc-3', publicIp: '203.0.113.3', eni: 'eni-0c0', privateIp: '10.0.1.20' },
        {
          allocationId: 'eipalloc-4',
          publicIp: '203.0.113.4',
          eni: 'eni-0zzzzzzzz',
          privateIp: '10.0.9.9',
          instanceId: 'i-z',
        },
      ],
      secondaryIps: ['10.0.3.50', '10.0.3.51'],
      interfaces: [
        iface('eni-0a1', '0/1', 's', 'us-east-1a', 'i-a', [
          ['10.0.3.10', true],
          ['10.0.3.50', false],
        ]),
      ],
    });
    expect(r.findings.map((f) => [f.address, f.kind, f.member])).toEqual([
      ['eipalloc-1', 'departed', 'router-a'],
      ['eipalloc-2', 'unassociated', undefined],
      ['eipalloc-3', 'split', 'router-c'],
      ['eipalloc-4', 'foreign', undefined],
      ['10.0.3.50', 'departed', 'router-a'],
      ['10.0.3.51', 'missing', undefined],
    ]);
    expect(r.addresses).toBe(6);
  });
});

// ───────────────────────────── generated cases ─────────────────────────────

interface Generated {
  members: MemberAddressView[];
  addresses: AddressRead[];
  foreign: InterfaceRead;
  selection: AddressSelection;
  target: string;
}

/**
 * Members with 1-3 interfaces, subnets shared or not per slot, 0-2 secondaries each; Elastic IPs anywhere;
 * some secondaries listed.
 */
const estates = fc
  .record({
    memberCount: fc.integer({ min: 2, max: 3 }),
    slots: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 3 }),
    sameSubnet: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    secondaries: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 9, maxLength: 9 }),
    placements: fc.array(fc.integer({ min: -2, max: 40 }), { minLength: 1, maxLength: 6 }),
    listed: fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 4 }),
    configSlots: fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }), {
      minLength: 6,
      maxLength: 6,
    }),
    target: fc.integer({ min: 0, max: 2 }),
  })
  .map((g): Generated => {
    const members: MemberAddressView[] = [];
    const allIps: Array<{ eni: string; ip: string; primary: boolean; instanceId: string }> = [];
    for (let m = 0; m < g.memberCount; m++) {
      const instanceId = `i-${m}`;
      const interfaces: InterfaceRead[] = [];
      for (let s = 0; s < g.slots[m]; s++) {
        const subnetId = g.sameSubnet[s] ? `subnet-slot${s}` : `subnet-m${m}-s${s}`;
        const ips = [{ ip: `10.${m}.${s}.10`, primary: true }];
        for (let k = 0; k < g.secondaries[m * 3 + s]; k++)
          ips.push({ ip: g.sameSubnet[s] ? `10.9.${s}.${m * 10 + k + 50}` : `10.${m}.${s}.${k + 50}`, primary: false });
        interfaces.push({
          eni: `eni-m${m}s${s}`,
          slot: `0/${s}`,
          subnetId,
          availabilityZone: g.sameSubnet[s] ? 'az-1' : `az-${m}`,
          instanceId,
          ips,
        });
        for (const x of ips) allIps.push({ eni: `eni-m${m}s${s}`, ...x, instanceId });
      }
      members.push({ name: `m${m}`, instanceId, interfaces });
    }
    const foreign: InterfaceRead = {
      eni: 'eni-foreign',
      slot: '0/0',
      subnetId: 'subnet-slot0',
      instanceId: 'i-foreign',
      ips: [
        { ip: '10.8.0.10', primary: true },
        { ip: '10.9.0.99', primary: false },
      ],
    };
    allIps.push(
      { eni: 'eni-foreign', ip: '10.8.0.10', primary: true, instanceId: 'i-foreign' },
      { eni: 'eni-foreign', ip: '10.9.0.99', primary: false, instanceId: 'i-foreign' },
    );
    const addresses: AddressRead[] = [];
    const usedPlaces = new Set<string>();
    g.placements.forEach((p, n) => {
      const base = { allocationId: `eipalloc-${n}`, publicIp: `203.0.113.${n}` };
      const spot = p < 0 ? undefined : allIps[p % allIps.length];
      // EC2 keeps one Elastic IP per private IP.
      if (!spot || usedPlaces.has(`${spot.eni}|${spot.ip}`)) {
        addresses.push(base);
        return;
      }
      usedPlaces.add(`${spot.eni}|${spot.ip}`);
      addresses.push({ ...base, eni: spot.eni, privateIp: spot.ip, instanceId: spot.instanceId });
      const holder = [...members.flatMap((m) => m.interfaces), foreign].find((i) => i.eni === spot.eni)!;
      holder.ips.find((x) => x.ip === spot.ip)!.allocationId = base.allocationId;
    });
    const secondaryPool = allIps.filter((x) => !x.primary);
    const secondaryIps = [
      ...new Set(
        g.listed.filter(() => secondaryPool.length > 0).map((i) => secondaryPool[i % secondaryPool.length].ip),
      ),
    ].map((ip) => ({ ip }));
    const slots: Record<string, string> = {};
    addresses.forEach((a, n) => {
      if (g.configSlots[n] !== undefined) slots[a.allocationId] = `eth${g.configSlots[n]}`;
    });
    return {
      members,
      addresses,
      foreign,
      selection: { allocationIds: addresses.map((a) => a.allocationId), slots, secondaryIps },
      target: `m${g.target % g.memberCount}`,
    };
  });

const planOf = (g: Generated) =>
  planAddressMoves({
    target: g.target,
    members: g.members,
    addresses: g.addresses,
    selection: g.selection,
    others: [g.foreign],
  });

describe('generated estates', () => {
  it('never takes an address held outside the group', () => {
    fc.assert(
      fc.property(estates, (g) => {
        for (const i of planOf(g).items) if (i.status === 'move' && i.from) expect(i.from.member).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });

  it('never half-moves a pair: an Elastic IP on a listed secondary IP moves with it or not at all', () => {
    fc.assert(
      fc.property(estates, (g) => {
        const plan = planOf(g);
        const byId = new Map(plan.items.map((i) => [i.id, i]));
        for (const i of plan.items) {
          const carrier = i.kind === 'elastic-ip' && i.from ? byId.get(i.from.privateIp) : undefined;
          if (!carrier || i.reason === 'held-elsewhere') continue;
          if (carrier.status === 'move')
            expect(i).toMatchObject({ status: 'move', action: 'with-secondary', to: carrier.to });
          else expect(i.status).not.toBe('move');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('maps slots 1:1 onto the target, keeps the IP position, and sends no two addresses to one private IP', () => {
    fc.assert(
      fc.property(estates, (g) => {
        const plan = planOf(g);
        const target = g.members.find((m) => m.name === g.target)!;
        const ifaceOf = (eni: string) =>
          [...g.members.flatMap((m) => m.interfaces), g.foreign].find((i) => i.eni === eni)!;
        const destinations = new Set<string>();
        for (const i of plan.items.filter((x) => x.status !== 'cannot-move')) {
          expect(i.to?.member).toBe(g.target);
          const dest = ifaceOf(i.to!.eni);
          expect(target.interfaces).toContain(dest);
          if (i.kind === 'elastic-ip') {
            const key = `${i.to!.eni}|${i.to!.privateIp}`;
            expect(destinations.has(key)).toBe(false);
            destinations.add(key);
          }
          if (!i.from || g.selection.slots[i.id] !== undefined) continue;
          expect(dest.slot).toBe(ifaceOf(i.from.eni).slot);
          if (i.kind === 'secondary-ip') expect(dest.subnetId).toBe(ifaceOf(i.from.eni).subnetId);
          else if (i.action === 'associate') {
            const src = ifaceOf(i.from.eni).ips;
            const pos = (ips: InterfaceRead['ips'], ip: string) =>
              ips.find((x) => x.ip === ip)!.primary
                ? 0
                : ips.filter((x) => !x.primary).findIndex((x) => x.ip === ip) + 1;
            expect(pos(dest.ips, i.to!.privateIp)).toBe(pos(src, i.from.privateIp));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a plan applied as EC2 would apply it satisfies the address clause for every address it moved', () => {
    fc.assert(
      fc.property(estates, (g) => {
        const plan = planOf(g);
        if (plan.blocking.length > 0) return;
        const where = new Map(
          g.addresses.map((a) => [a.allocationId, a.eni ? { eni: a.eni, privateIp: a.privateIp! } : undefined]),
        );
        for (const i of plan.items)
          if (i.kind === 'elastic-ip' && i.status === 'move')
            where.set(i.id, { eni: i.to!.eni, privateIp: i.to!.privateIp });
        const after = g.addresses.map((a) => ({
          allocationId: a.allocationId,
          publicIp: a.publicIp,
          ...where.get(a.allocationId),
        }));
        const members = g.members.map((m) => ({
          name: m.name,
          instanceId: m.instanceId,
          enis: m.interfaces.map((i) => i.eni),
        }));
        const findings = checkAddressInvariant({ target: g.target, departed: [], members, addresses: after }).findings;
        const conflicts = new Set(plan.cannotMove.map((i) => i.id));
        expect(findings.filter((f) => !conflicts.has(f.address))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
