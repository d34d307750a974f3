// The Automation actions performed by calls to services (automation-executor.ts runs each after its step
// commits and puts the answer in the execution's inbox): by action name, with what they share (the service
// calls, the waits, a stop that ends them). Built by the composition root; its own API reaches it later
// (connectSelf), as the handlers are built after the runtime.

import type { Store } from '../../service/ports.ts';
import type { AutomationCall } from '../automation-executor.ts';
import { assertAwsResourceProperty, executeAwsApi, waitForAwsResourceProperty } from './api-actions.ts';
import { changeInstanceState, createImage, createTags } from './ec2-actions.ts';
import { executeStateMachine, invokeLambdaFunction } from './function-actions.ts';
import { type CallKit, ServiceStopping, type StepCall } from './kit.ts';
import { pollUntil, stillWanted } from './polling.ts';
import { type SelfCall, ServiceCalls } from './service-calls.ts';

export class AutomationCalls {
  /** By action name, for AutomationExecutor's `calls`. */
  readonly calls: Record<string, AutomationCall>;
  private self: SelfCall | undefined;
  private readonly services: ServiceCalls;
  private readonly stopping = new AbortController();

  /** `env`: where other services are (AWS_ENDPOINT_URL...); `store`: what tells a wait its step still waits. */
  constructor(env: Record<string, string | undefined>, store: Store) {
    // Read once, as the service starts: a change to the environment later does not move its calls.
    this.services = new ServiceCalls({ ...env }, () => this.self);
    const kit: CallKit = {
      services: this.services,
      // The step may also be stopped on another replica: the wait asks the store before each check.
      poll: (request, defaultSeconds, check) => pollUntil({ limitSeconds: request.step.timeoutSeconds ?? defaultSeconds, signal: request.signal, wanted: () => stillWanted(store, request) }, check),
    };
    const actions: Record<string, StepCall> = {
      'aws:executeAwsApi': executeAwsApi(kit),
      'aws:waitForAwsResourceProperty': waitForAwsResourceProperty(kit),
      'aws:assertAwsResourceProperty': assertAwsResourceProperty(kit),
      'aws:changeInstanceState': changeInstanceState(kit),
      'aws:createImage': createImage(kit),
      'aws:createTags': createTags(kit),
      'aws:invokeLambdaFunction': invokeLambdaFunction(kit),
      'aws:executeStateMachine': executeStateMachine(kit),
    };
    // Each call ends when its step stops waiting here (the executor's signal) or the service stops.
    const stopping = this.stopping.signal;
    this.calls = Object.fromEntries(Object.entries(actions).map(([name, action]) => [name, (request: Parameters<AutomationCall>[0]) => action({
      ...request, signal: request.signal ? AbortSignal.any([stopping, request.signal]) : stopping,
    })]));
  }

  /** This service's own API, for calls to ssm. */
  connectSelf(self: SelfCall): void {
    this.self = self;
  }

  /** Ends every wait (its step ends at its time limit after a restart) and closes the clients. */
  stop(): void {
    this.stopping.abort(new ServiceStopping());
    this.services.destroy();
  }
}
