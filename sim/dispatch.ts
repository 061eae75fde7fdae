/**
 * How the simulated account serves one call, in the order EC2 meets it: recorded, delayed by its latency,
 * throttled by its action's request bucket, failed by an impaired Availability Zone or an injected fault, then run.
 */
import { ec2Handlers, type ActionHandler } from './ec2-actions';
import { EC2_FAULT_DEFAULTS, FaultInjector, fault } from './faults';
import { failIfImpaired } from './instances';
import { mulberry32 } from './random';
import { publish } from './sns';
import type { SimState } from './state';
import { Ec2RequestBuckets } from './throttling';
import type { CommandInput, Service, SimCall, SimClock, SimulatedVpcOptions } from './types';

/** Serves the EC2 and SNS calls of one simulated account region and keeps the record of them. */
export class CallDispatcher {
  /** Every call in arrival order, including failed ones. */
  readonly calls: SimCall[] = [];
  readonly faults: FaultInjector;
  /** Availability Zones with a service disruption (SimulatedVpc.impairAvailabilityZone). */
  readonly impairedAzs = new Set<string>();
  /** EC2's request buckets; absent when throttling is off. */
  readonly buckets?: Ec2RequestBuckets;

  private latencyMs: number | Partial<Record<string, number>>;
  private readonly latencyJitterMs: number;
  private readonly jitterRand: () => number;
  private readonly handlers: Record<Service, Record<string, ActionHandler>>;

  constructor(
    private readonly s: SimState,
    private readonly clock: SimClock,
    seed: number,
    opts: SimulatedVpcOptions,
  ) {
    this.latencyMs = opts.latencyMs ?? 0;
    this.latencyJitterMs = opts.latencyJitterMs ?? 0;
    // A stream of its own: jitter must not change which calls a fault hits.
    this.jitterRand = mulberry32(seed ^ 0x3c6ef372);
    // The documented model is on unless a caller turns it off (throttling: false).
    const throttling = opts.throttling ?? {};
    // The instant of EC2's refill within the second is not documented: a seeded one per simulator.
    const refillPhaseMs =
      throttling === false ? 0 : (throttling.refillPhaseMs ?? Math.floor(mulberry32(seed ^ 0x1b873593)() * 1000));
    if (throttling !== false)
      this.buckets = new Ec2RequestBuckets(
        throttling.clock ?? (() => this.clock.now()),
        throttling.buckets,
        refillPhaseMs,
      );
    // Faults draw from their own stream; the IDs and request IDs they make up come from the state's streams.
    this.faults = new FaultInjector(mulberry32(seed ^ 0x5bd1e995), s.idRand, s.requestRand);
    this.handlers = {
      ec2: ec2Handlers(s),
      sns: { Publish: (input) => publish(s, input as never) },
    };
  }

  /** Changes the latency of subsequent calls. */
  setLatency(latencyMs: number | Partial<Record<string, number>>): void {
    this.latencyMs = latencyMs;
  }

  /**
   * Serves one call: records it, waits the latency, applies faults, runs the action.
   * `abortSignal` (the SDK's, or the HTTP endpoint's when its client goes away) ends a hung call.
   */
  async invoke(
    service: Service,
    action: string,
    rawInput: object,
    opts: { abortSignal?: AbortSignal } = {},
  ): Promise<object> {
    const input = structuredClone(rawInput) as CommandInput;
    const call: SimCall = { service, action, input, at: this.clock.now() };
    this.calls.push(call);
    try {
      const handler = this.handlers[service][action];
      if (!handler) throw new Error(`the simulated VPC does not support ${service.toUpperCase()} ${action}`);
      await this.delay(action);
      this.takeToken(service, action);
      failIfImpaired(this.s, this.impairedAzs, service, action, input);
      await this.faults.fire(service, action, input, 'before', opts.abortSignal);
      const output = handler(this.faults.servedInput(action, input));
      call.tookEffect = true;
      await this.faults.fire(service, action, input, 'after', opts.abortSignal);
      return { ...output, $metadata: this.faults.metadata(200) };
    } catch (e) {
      call.error = (e as Error).name;
      throw this.faults.toServiceError(service, e);
    } finally {
      call.endAt = this.clock.now();
    }
  }

  private async delay(action: string): Promise<void> {
    const base =
      typeof this.latencyMs === 'number' ? this.latencyMs : (this.latencyMs[action] ?? this.latencyMs['*'] ?? 0);
    const ms =
      this.latencyJitterMs > 0
        ? Math.max(0, Math.round(base + (2 * this.jitterRand() - 1) * this.latencyJitterMs))
        : base;
    if (ms > 0) await this.clock.sleep(ms);
  }

  /** The call reaches EC2 now: it takes a token from its action's bucket or is throttled. */
  private takeToken(service: Service, action: string): void {
    if (service !== 'ec2' || !this.buckets || !(action in this.handlers.ec2)) return;
    if (!this.buckets.take(action))
      throw fault('RequestLimitExceeded', EC2_FAULT_DEFAULTS.RequestLimitExceeded.message, 503);
  }
}
