// CreateActivation, DescribeActivations, DeleteActivation, DeregisterManagedInstance: AWS names <-> domain.

import type { Activation } from '../domain/activations.ts';
import type { ActivationService } from '../service/activations.ts';
import type { Handler } from '../wire/api.ts';
import type { Activation as WireActivation } from '../wire/generated/types.ts';
import { seconds, startingToken } from './mapping.ts';

export function activationOut(a: Activation, now: number): WireActivation {
  return {
    ActivationId: a.id,
    Description: a.description,
    DefaultInstanceName: a.defaultInstanceName,
    IamRole: a.iamRole,
    RegistrationLimit: a.registrationLimit,
    RegistrationsCount: a.registrationsCount,
    ExpirationDate: seconds(a.expiresAt),
    Expired: now >= a.expiresAt,
    CreatedDate: seconds(a.createdAt),
    Tags: a.tags.length > 0 ? a.tags.map((t) => ({ Key: t.key, Value: t.value })) : undefined,
  };
}

export function activationHandlers(activations: ActivationService, now: () => number) {
  const CreateActivation: Handler<'CreateActivation'> = async (input, { scope }) => {
    const created = await activations.create(scope, {
      description: input.Description,
      defaultInstanceName: input.DefaultInstanceName,
      iamRole: input.IamRole,
      registrationLimit: input.RegistrationLimit,
      expirationDate: input.ExpirationDate === undefined ? undefined : Number(input.ExpirationDate) * 1000,
      tags: input.Tags?.map((t) => ({ key: t.Key, value: t.Value })),
    });
    return { ActivationId: created.id, ActivationCode: created.code };
  };
  const DescribeActivations: Handler<'DescribeActivations'> = async (input, { scope }) => {
    const page = await activations.describe(scope, {
      filters: input.Filters?.map((f) => ({ key: f.FilterKey ?? '', values: f.FilterValues ?? [] })),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    const at = now();
    return { ActivationList: page.activations.map((a) => activationOut(a, at)), NextToken: page.nextToken };
  };
  const DeleteActivation: Handler<'DeleteActivation'> = async (input, { scope }) => {
    await activations.delete(scope, input.ActivationId);
    return {};
  };
  const DeregisterManagedInstance: Handler<'DeregisterManagedInstance'> = async (input, { scope }) => {
    await activations.deregister(scope, input.InstanceId);
    return {};
  };
  return { CreateActivation, DescribeActivations, DeleteActivation, DeregisterManagedInstance };
}
