// aws:changeInstanceState, aws:createImage and aws:createTags over the EC2 endpoint configured (createTags
// on managed instances, windows and parameters: this service's own AddTagsToResource), as AWS's Automation
// actions reference describes their inputs and outputs. The instance and image actions wait until EC2 shows
// the state asked for, bounded by the step's timeoutSeconds (the reference's default: one hour).

import type { WorkResult } from '../../domain/automation/execution.ts';
import { type CallKit, type StepCall, failed, failure, flag, required, text, texts, timedOut } from './kit.ts';
import type { StepRequest } from './polling.ts';

const STATE_DEFAULT_SECONDS = 3600;
const DESIRED = new Set(['running', 'stopped', 'terminated']);
/** The call that moves an instance toward each state. */
const CHANGE: Record<string, string> = { running: 'StartInstances', stopped: 'StopInstances', terminated: 'TerminateInstances' };

type Instance = { InstanceId?: string; State?: { Name?: string } };

async function instanceStates(kit: CallKit, request: StepRequest, ids: string[]): Promise<Map<string, string>> {
  const answer = await kit.services.call(request.scope, 'ec2', 'DescribeInstances', { InstanceIds: ids }, { signal: request.signal });
  const states = new Map<string, string>();
  for (const reservation of (answer.Reservations as { Instances?: Instance[] }[] | undefined) ?? []) {
    for (const instance of reservation.Instances ?? []) if (instance.InstanceId) states.set(instance.InstanceId, instance.State?.Name ?? '');
  }
  return states;
}

/** Running is reached when EC2 says running and both status checks are ok (the reference). */
async function statusChecksOk(kit: CallKit, request: StepRequest, ids: string[]): Promise<boolean> {
  const answer = await kit.services.call(request.scope, 'ec2', 'DescribeInstanceStatus', { InstanceIds: ids, IncludeAllInstances: true }, { signal: request.signal });
  const statuses = (answer.InstanceStatuses as { InstanceStatus?: { Status?: string }; SystemStatus?: { Status?: string } }[] | undefined) ?? [];
  // [I] a check EC2 does not report (an endpoint without status checks) does not hold the step.
  return statuses.every((s) => ['ok', 'not-applicable', undefined].includes(s.InstanceStatus?.Status) && ['ok', 'not-applicable', undefined].includes(s.SystemStatus?.Status));
}

export function changeInstanceState(kit: CallKit): StepCall {
  return async (request) => {
    const inputs = request.step.inputs;
    const missing = required(inputs, 'aws:changeInstanceState', 'InstanceIds', 'DesiredState');
    if (missing) return failed(missing);
    const ids = texts(inputs.InstanceIds);
    const desired = text(inputs.DesiredState)!;
    if (!DESIRED.has(desired)) return failed(`DesiredState ${desired} is not one of running, stopped, terminated.`);
    try {
      if (!flag(inputs.CheckStateOnly)) {
        const parameters: Record<string, unknown> = { InstanceIds: ids };
        if (desired === 'stopped' && inputs.Force !== undefined) parameters.Force = flag(inputs.Force);
        if (desired === 'running' && text(inputs.AdditionalInfo)) parameters.AdditionalInfo = text(inputs.AdditionalInfo);
        await kit.services.call(request.scope, 'ec2', CHANGE[desired], parameters, { signal: request.signal });
      }
      const end = await kit.poll(request, STATE_DEFAULT_SECONDS, async (): Promise<WorkResult | undefined> => {
        const states = await instanceStates(kit, request, ids);
        // [I] an instance that can no longer reach the state ends the wait at once.
        const lost = ids.filter((id) => desired !== 'terminated' && ['terminated', 'shutting-down'].includes(states.get(id) ?? ''));
        if (lost.length > 0) return failed(`Instances ${lost.join(', ')} are terminated and cannot be ${desired}.`);
        if (desired === 'running' && flag(inputs.FailOnUnexpectedStopped) && ids.some((id) => states.get(id) === 'stopped')) {
          return failed(`Instances ${ids.filter((id) => states.get(id) === 'stopped').join(', ')} stopped while they were expected to be running.`);
        }
        if (!ids.every((id) => states.get(id) === desired)) return undefined;
        if (desired === 'running' && !(await statusChecksOk(kit, request, ids))) return undefined;
        return { status: 'Success', outputs: {} };
      });
      if (end.kind === 'done') return end.value;
      if (end.kind === 'unwanted') return { status: 'Cancelled' };
      return timedOut(`waiting for instances ${ids.join(', ')} to be ${desired}`);
    } catch (error) {
      return failure(error);
    }
  };
}

export function createImage(kit: CallKit): StepCall {
  return async (request) => {
    const inputs = request.step.inputs;
    const missing = required(inputs, 'aws:createImage', 'InstanceId', 'ImageName');
    if (missing) return failed(missing);
    try {
      const parameters: Record<string, unknown> = { InstanceId: text(inputs.InstanceId), Name: text(inputs.ImageName) };
      if (text(inputs.ImageDescription)) parameters.Description = text(inputs.ImageDescription);
      if (inputs.NoReboot !== undefined) parameters.NoReboot = flag(inputs.NoReboot);
      if (Array.isArray(inputs.BlockDeviceMappings)) parameters.BlockDeviceMappings = inputs.BlockDeviceMappings;
      const imageId = text((await kit.services.call(request.scope, 'ec2', 'CreateImage', parameters, { signal: request.signal })).ImageId)!;
      // The step ends when the image is available (or failed): its outputs are ImageId and ImageState.
      const end = await kit.poll(request, STATE_DEFAULT_SECONDS, async (): Promise<WorkResult | undefined> => {
        const answer = await kit.services.call(request.scope, 'ec2', 'DescribeImages', { ImageIds: [imageId] }, { signal: request.signal });
        const state = ((answer.Images as { State?: string }[] | undefined) ?? [])[0]?.State;
        const outputs = { ImageId: imageId, ImageState: state ?? 'pending' };
        if (state === 'available') return { status: 'Success', outputs };
        if (state === 'failed' || state === 'error' || state === 'invalid') return failed(`Image ${imageId} ended ${state}.`, 'Execution', outputs);
        return undefined;
      });
      if (end.kind === 'done') return end.value;
      if (end.kind === 'unwanted') return { status: 'Cancelled', outputs: { ImageId: imageId } };
      return { ...timedOut(`waiting for image ${imageId} to be available`), outputs: { ImageId: imageId, ImageState: 'pending' } };
    } catch (error) {
      return failure(error);
    }
  };
}

/** ResourceType values and the SSM resource type each names (EC2 is EC2's own CreateTags). */
const SSM_RESOURCE_TYPES: Record<string, string> = { ManagedInstance: 'ManagedInstance', MaintenanceWindow: 'MaintenanceWindow', Parameter: 'Parameter' };

export function createTags(kit: CallKit): StepCall {
  return async (request) => {
    const inputs = request.step.inputs;
    const missing = required(inputs, 'aws:createTags', 'ResourceIds', 'Tags');
    if (missing) return failed(missing);
    const type = text(inputs.ResourceType) ?? 'EC2';
    const ids = texts(inputs.ResourceIds);
    const tags = Array.isArray(inputs.Tags) ? inputs.Tags : [];
    try {
      if (type === 'EC2') {
        await kit.services.call(request.scope, 'ec2', 'CreateTags', { Resources: ids, Tags: tags }, { signal: request.signal });
      } else if (SSM_RESOURCE_TYPES[type]) {
        for (const id of ids) await kit.services.call(request.scope, 'ssm', 'AddTagsToResource', { ResourceType: SSM_RESOURCE_TYPES[type], ResourceId: id, Tags: tags });
      } else {
        return failed(`ResourceType ${type} is not one of EC2, ManagedInstance, MaintenanceWindow, Parameter.`);
      }
      return { status: 'Success', outputs: {} };
    } catch (error) {
      return failure(error);
    }
  };
}
