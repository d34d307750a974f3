// Hybrid activations: the code and id a person gives `amazon-ssm-agent -register` so a machine of their
// own becomes a managed node (`mi-...`). An activation allows RegistrationLimit registrations until its
// ExpirationDate (default: 24 hours after it was created, at most 30 days).

import { ServiceError } from './errors.ts';
import type { Tag } from './model.ts';

export interface Activation {
  id: string;
  /** The secret half: a registration must present it with the id. */
  code: string;
  description?: string;
  defaultInstanceName?: string;
  iamRole: string;
  registrationLimit: number;
  registrationsCount: number;
  createdAt: number;
  expiresAt: number;
  tags: Tag[];
}

export const DEFAULT_ACTIVATION_LIFETIME_MS = 24 * 3_600_000;
export const MAX_ACTIVATION_LIFETIME_MS = 30 * 24 * 3_600_000;

export class InvalidParameters extends ServiceError {
  constructor(message: string) {
    super('InvalidParameters', message);
  }
}

export class InvalidActivationId extends ServiceError {
  constructor() {
    super('InvalidActivationId', "The activation ID isn't valid. Verify that you entered the correct ActivationId or ActivationCode and try again.");
  }
}

export class InvalidActivation extends ServiceError {
  constructor() {
    super('InvalidActivation', "The activation isn't valid. The activation might have been deleted, or the ActivationId and the ActivationCode don't match.");
  }
}

export class InvalidFilter extends ServiceError {
  constructor(message: string) {
    super('InvalidFilter', message);
  }
}

/** When an activation given `expirationDate` (or none) at `now` expires; beyond 30 days or in the past is refused. */
export function activationExpiry(now: number, expirationDate: number | undefined): number {
  if (expirationDate === undefined) return now + DEFAULT_ACTIVATION_LIFETIME_MS;
  if (expirationDate <= now) throw new InvalidParameters('ExpirationDate must be in the future.');
  if (expirationDate > now + MAX_ACTIVATION_LIFETIME_MS) throw new InvalidParameters('ExpirationDate must be at most 30 days after the activation is created.');
  return expirationDate;
}

export function isExpired(activation: Activation, now: number): boolean {
  return now >= activation.expiresAt;
}

/** Why a registration with `code` is refused now, or undefined when it may go ahead. */
export function registrationRefusal(activation: Activation | undefined, code: string, now: number): ServiceError | undefined {
  if (!activation || activation.code !== code) return new InvalidActivation();
  if (isExpired(activation, now)) return new ServiceError('InvalidActivation', 'The activation has expired.');
  if (activation.registrationsCount >= activation.registrationLimit) {
    return new ServiceError('InvalidActivation', 'The activation has reached its registration limit.');
  }
  return undefined;
}

export interface ActivationFilter {
  key: string;
  values: string[];
}

/** DescribeActivations' filters: every one must hold; a filter holds when any of its values matches. */
export function activationFilter(filters: ActivationFilter[] | undefined): (a: Activation) => boolean {
  const tests = (filters ?? []).map(({ key, values }) => {
    switch (key) {
      case 'ActivationIds': return (a: Activation) => values.includes(a.id);
      case 'DefaultInstanceName': return (a: Activation) => a.defaultInstanceName !== undefined && values.includes(a.defaultInstanceName);
      case 'IamRole': return (a: Activation) => values.includes(a.iamRole);
      default: throw new InvalidFilter(`The filter key ${key} isn't valid.`);
    }
  });
  return (a) => tests.every((t) => t(a));
}
