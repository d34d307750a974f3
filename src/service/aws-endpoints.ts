// Where the service's own AWS calls go (LAMBDA and STEP_FUNCTIONS invocations, Automation's calls to EC2,
// Lambda, Step Functions...), read the way the AWS SDKs read it: AWS_ENDPOINT_URL_<SERVICE> for one service,
// else AWS_ENDPOINT_URL for all, neither when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. Credentials and
// the retry budget come from the same environment through the SDK (AWS_ACCESS_KEY_ID, AWS_PROFILE,
// AWS_MAX_ATTEMPTS...). A service with no endpoint named stays simulated: the service never calls AWS
// unless it is told where.

export interface AwsEndpoints {
  /** Lambda's endpoint (AWS_ENDPOINT_URL_LAMBDA or AWS_ENDPOINT_URL); undefined: LAMBDA tasks simulated. */
  lambda?: string;
  /** Step Functions' endpoint (AWS_ENDPOINT_URL_SFN or AWS_ENDPOINT_URL); undefined: simulated. */
  stepFunctions?: string;
  /** Attempts per call in the SDK's standard retry mode (AWS_MAX_ATTEMPTS, default 3, at most 10). */
  maxAttempts: number;
}

const DEFAULT_ATTEMPTS = 3;
const MAX_ATTEMPTS = 10;

function named(value: string | undefined): string | undefined {
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * The endpoint configured for the service whose SDK service id is `serviceId` (EC2, Lambda, SFN, ...): its
 * variable is the id upper-cased, spaces as underscores (AWS_ENDPOINT_URL_EC2), as the SDKs name it.
 */
export function endpointFor(env: Record<string, string | undefined>, serviceId: string): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return undefined;
  return named(env[`AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/[ -]/g, '_')}`]) ?? named(env.AWS_ENDPOINT_URL);
}

/** Attempts per call (AWS_MAX_ATTEMPTS, default 3, at most 10). */
export function maxAttemptsFrom(env: Record<string, string | undefined>): number {
  const attempts = Number(env.AWS_MAX_ATTEMPTS);
  return Number.isInteger(attempts) && attempts >= 1 ? Math.min(attempts, MAX_ATTEMPTS) : DEFAULT_ATTEMPTS;
}

export function awsEndpointsFrom(env: Record<string, string | undefined>): AwsEndpoints {
  const maxAttempts = maxAttemptsFrom(env);
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() === 'true') return { maxAttempts };
  return { lambda: endpointFor(env, 'Lambda'), stepFunctions: endpointFor(env, 'SFN'), maxAttempts };
}
