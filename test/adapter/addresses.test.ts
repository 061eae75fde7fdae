/** The address adapter: what it sends to EC2, and how EC2's answers become named errors (aws-sdk-client-mock). */
import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { readAddressWorld, writeAddressItem } from '../../functions/aws/addresses';
import type { AddressItem } from '../../functions/domain/addresses';
import { Ec2ThrottledError } from '../../functions/contract/errors';
import { ec2Error } from './ec2-fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
beforeEach(() => ec2Mock.reset());

const eip: AddressItem = {
  kind: 'elastic-ip',
  id: 'eipalloc-0123456789abcdef0',
  publicIp: '203.0.113.10',
  slot: 'eth1',
  from: { eni: 'eni-0aaaaaaaaaaaaaaa1', privateIp: '10.0.3.10', member: 'router-a' },
  to: { eni: 'eni-0bbbbbbbbbbbbbbb1', privateIp: '10.0.3.20', member: 'router-b' },
  action: 'associate',
  status: 'move',
};
const secondary: AddressItem = {
  ...eip,
  kind: 'secondary-ip',
  id: '10.0.3.50',
  publicIp: undefined,
  to: { eni: 'eni-0bbbbbbbbbbbbbbb1', privateIp: '10.0.3.50' },
  action: 'assign',
};

describe('writeAddressItem', () => {
  it('associates an Elastic IP with the paired private IP, reassociation allowed', async () => {
    ec2Mock.on(AssociateAddressCommand).resolves({ AssociationId: 'eipassoc-0123456789abcdef0' });
    await expect(writeAddressItem(ec2, eip, { dryRun: false })).resolves.toEqual({
      id: eip.id,
      outcome: 'moved',
      associationId: 'eipassoc-0123456789abcdef0',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(AssociateAddressCommand, {
      AllocationId: 'eipalloc-0123456789abcdef0',
      NetworkInterfaceId: 'eni-0bbbbbbbbbbbbbbb1',
      PrivateIpAddress: '10.0.3.20',
      AllowReassociation: true,
      DryRun: false,
    });
  });

  it('assigns a secondary private IP, reassignment allowed', async () => {
    ec2Mock.on(AssignPrivateIpAddressesCommand).resolves({});
    await expect(writeAddressItem(ec2, secondary, { dryRun: false })).resolves.toEqual({
      id: '10.0.3.50',
      outcome: 'moved',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(AssignPrivateIpAddressesCommand, {
      NetworkInterfaceId: 'eni-0bbbbbbbbbbbbbbb1',
      PrivateIpAddresses: ['10.0.3.50'],
      AllowReassignment: true,
    });
  });

  it(`judges a dry run by DryRunOperation, refuses a success as DryRun ignored, and never sends \
AssignPrivateIpAddresses in one`, async () => {
    ec2Mock.on(AssociateAddressCommand).rejects(ec2Error('DryRunOperation', { status: 412 }));
    await expect(writeAddressItem(ec2, eip, { dryRun: true })).resolves.toEqual({ id: eip.id, outcome: 'dry-run' });
    expect(ec2Mock).toHaveReceivedCommandWith(AssociateAddressCommand, { DryRun: true });
    ec2Mock.on(AssociateAddressCommand).resolves({ AssociationId: 'eipassoc-0123456789abcdef0' });
    await expect(writeAddressItem(ec2, eip, { dryRun: true })).rejects.toMatchObject({
      name: 'AddressDryRunIgnoredError',
    });
    await expect(writeAddressItem(ec2, secondary, { dryRun: true })).resolves.toEqual({
      id: '10.0.3.50',
      outcome: 'dry-run-unjudged',
    });
    expect(ec2Mock).not.toHaveReceivedCommand(AssignPrivateIpAddressesCommand);
  });

  it('sends nothing for a noop or an Elastic IP that moves with its secondary IP', async () => {
    await expect(writeAddressItem(ec2, { ...eip, status: 'noop', action: 'none' }, { dryRun: false })).resolves.toEqual(
      { id: eip.id, outcome: 'none' },
    );
    await expect(
      writeAddressItem(ec2, { ...eip, action: 'with-secondary', carriedBy: '10.0.3.50' }, { dryRun: false }),
    ).resolves.toEqual({ id: eip.id, outcome: 'none' });
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it.each([
    ['Resource.AlreadyAssociated', eip, 'AddressHeldElsewhereError', undefined],
    ['PrivateIpAddressInUse', secondary, 'AddressHeldElsewhereError', undefined],
    [
      'InvalidParameterValue',
      secondary,
      'AddressSubnetMismatchError',
      "Address 10.0.3.50 does not fall within the subnet's address range",
    ],
    ['InvalidAllocationID.NotFound', eip, 'AddressTargetGoneError', undefined],
    ['InvalidNetworkInterfaceID.NotFound', eip, 'AddressTargetGoneError', undefined],
    ['UnauthorizedOperation', eip, 'Ec2RequestError', undefined],
  ])('names %s as %s', async (code, item, name, message) => {
    ec2Mock.on(AssociateAddressCommand).rejects(ec2Error(code, { message }));
    ec2Mock.on(AssignPrivateIpAddressesCommand).rejects(ec2Error(code, { message }));
    await expect(writeAddressItem(ec2, item, { dryRun: false })).rejects.toMatchObject({
      name,
      message: expect.stringContaining(code),
    });
  });

  it('keeps throttling retryable', async () => {
    ec2Mock.on(AssociateAddressCommand).rejects(ec2Error('RequestLimitExceeded', { status: 503 }));
    await expect(writeAddressItem(ec2, eip, { dryRun: false })).rejects.toBeInstanceOf(Ec2ThrottledError);
  });
});

describe('readAddressWorld', () => {
  it(`reads the addresses by allocation-id filter, the members \
by attachment, the holders of listed secondary IPs`, async () => {
    ec2Mock.on(DescribeAddressesCommand).resolves({
      Addresses: [
        {
          AllocationId: 'eipalloc-0123456789abcdef0',
          PublicIp: '203.0.113.10',
          NetworkInterfaceId: 'eni-0a',
          PrivateIpAddress: '10.0.1.10',
          InstanceId: 'i-a',
        },
      ],
    });
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [
        {
          NetworkInterfaceId: 'eni-0a',
          SubnetId: 'subnet-a',
          AvailabilityZone: 'us-east-1a',
          Attachment: { InstanceId: 'i-a', DeviceIndex: 0, NetworkCardIndex: 0 },
          PrivateIpAddresses: [
            {
              Primary: true,
              PrivateIpAddress: '10.0.1.10',
              Association: { AllocationId: 'eipalloc-0123456789abcdef0', PublicIp: '203.0.113.10' },
            },
          ],
        },
      ],
    });
    const world = await readAddressWorld(
      ec2,
      [
        { name: 'router-a', instanceId: 'i-a' },
        { name: 'router-b', instanceId: 'i-b' },
      ],
      { allocationIds: ['eipalloc-0123456789abcdef0'], slots: {}, secondaryIps: [] },
    );
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeAddressesCommand, {
      Filters: [{ Name: 'allocation-id', Values: ['eipalloc-0123456789abcdef0'] }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: 'attachment.instance-id', Values: ['i-a', 'i-b'] }],
    });
    expect(world.members[0].interfaces).toEqual([
      {
        eni: 'eni-0a',
        subnetId: 'subnet-a',
        availabilityZone: 'us-east-1a',
        instanceId: 'i-a',
        slot: '0/0',
        ips: [{ ip: '10.0.1.10', primary: true, allocationId: 'eipalloc-0123456789abcdef0' }],
      },
    ]);
    expect(world.members[1].interfaces).toEqual([]);
    expect(world.addresses).toEqual([
      {
        allocationId: 'eipalloc-0123456789abcdef0',
        publicIp: '203.0.113.10',
        eni: 'eni-0a',
        privateIp: '10.0.1.10',
        instanceId: 'i-a',
      },
    ]);
  });
});
