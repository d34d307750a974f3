// StartSession, ResumeSession, TerminateSession, DescribeSessions, GetConnectionStatus. Times are epoch
// seconds on the wire; a session's OutputUrl is shown only once something wrote a transcript.

import type { Scope } from '../domain/model.ts';
import type { Session } from '../domain/sessions.ts';
import type { Endpoint, SessionService } from '../service/sessions.ts';
import type { CallContext, Handler } from '../wire/api.ts';
import type { Session as WireSession } from '../wire/generated/types.ts';
import { seconds, startingToken } from './mapping.ts';

/** [I] Who starts a session: the caller's account (this service does not know IAM users), as Automation's ExecutedBy. */
function caller(scope: Scope): string {
  return `arn:aws:iam::${scope.account}:root`;
}

/** A call inside the process names no host: the default listen address stands in. */
function endpointOf(call: CallContext): Endpoint {
  return call.endpoint ?? { host: '127.0.0.1:4100', secure: false };
}

function sessionOut(s: Session): WireSession {
  return {
    SessionId: s.id,
    Target: s.target,
    Status: s.status,
    StartDate: seconds(s.startedAt),
    EndDate: s.endedAt === undefined ? undefined : seconds(s.endedAt),
    DocumentName: s.documentName,
    Owner: s.owner,
    Reason: s.reason,
    Details: s.details,
    OutputUrl: s.outputUrl && { S3OutputUrl: s.outputUrl.s3, CloudWatchOutputUrl: s.outputUrl.cloudWatch },
    MaxSessionDuration: s.maxSessionDuration,
    AccessType: s.accessType,
  };
}

export function sessionHandlers(sessions: SessionService) {
  const StartSession: Handler<'StartSession'> = async (input, call) => {
    const ticket = await sessions.start(call.scope, {
      target: input.Target,
      documentName: input.DocumentName,
      reason: input.Reason,
      parameters: input.Parameters,
      owner: caller(call.scope),
      endpoint: endpointOf(call),
    });
    return { SessionId: ticket.sessionId, TokenValue: ticket.tokenValue, StreamUrl: ticket.streamUrl };
  };

  const ResumeSession: Handler<'ResumeSession'> = async (input, call) => {
    const ticket = await sessions.resume(call.scope, input.SessionId, endpointOf(call));
    return { SessionId: ticket.sessionId, TokenValue: ticket.tokenValue, StreamUrl: ticket.streamUrl };
  };

  const TerminateSession: Handler<'TerminateSession'> = async (input, { scope }) => ({
    SessionId: await sessions.terminate(scope, input.SessionId),
  });

  const DescribeSessions: Handler<'DescribeSessions'> = async (input, { scope }) => {
    const page = await sessions.list(scope, {
      state: input.State,
      filters: input.Filters?.map((f) => ({ key: f.key, value: f.value })),
      maxResults: input.MaxResults,
      nextToken: startingToken(input.NextToken),
    });
    return { Sessions: page.sessions.map(sessionOut), NextToken: page.nextToken };
  };

  const GetConnectionStatus: Handler<'GetConnectionStatus'> = async (input, { scope }) => ({
    Target: input.Target,
    Status: await sessions.connectionStatus(scope, input.Target),
  });

  return { StartSession, ResumeSession, TerminateSession, DescribeSessions, GetConnectionStatus };
}
