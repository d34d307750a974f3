// The schema's migrations from version 7 on, in both engines' words (storage/migrations.ts says how).

import { documentTable, type SharedMigration } from './migrations.ts';

export const later: SharedMigration[] = [
  {
    version: 7,
    description: 'window reports: what a window command tells its invocation, waiting for the replica that runs the execution',
    sql: (w) => `
      CREATE TABLE window_reports (
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        invocation_id ${w.text} NOT NULL,
        window_execution_id ${w.text} NOT NULL,
        at ${w.int} NOT NULL,
        doc ${w.text} NOT NULL,
        PRIMARY KEY (account, region, invocation_id)
      );
      CREATE INDEX window_reports_by_execution ON window_reports (account, region, window_execution_id);
    `,
  },
  {
    version: 8,
    description: 'hybrid activations: the codes with which real machines register as managed nodes',
    sql: (w) => `${documentTable('activations', w)}
      -- An agent's RegisterManagedInstance names only the activation id: found across accounts by it.
      CREATE INDEX activations_by_activation_id ON activations (id);
    `,
  },
  {
    version: 9,
    description: 'agents: nodes found by id alone, and the short-lived credentials issued to registered agents',
    sql: (w) => `
      CREATE INDEX managed_nodes_by_node_id ON managed_nodes (id);
      CREATE TABLE agent_credentials (
        access_key_id ${w.text} PRIMARY KEY,
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        node_id ${w.text} NOT NULL,
        expires_at ${w.int} NOT NULL,
        doc ${w.text} NOT NULL
      );
      CREATE INDEX agent_credentials_by_node ON agent_credentials (account, region, node_id);
      -- A real node's messages waiting for its agent's poll (a command invocation or a cancel of one).
      ALTER TABLE command_invocations ADD COLUMN delivery ${w.text};
      CREATE INDEX command_invocations_queued ON command_invocations (account, region, instance_id) WHERE delivery = 'queued';
    `,
  },
  {
    version: 10,
    description: 'state-change events: an outbox written with each change, and the targets it is delivered to',
    sql: (w) => `
      CREATE TABLE events (
        seq ${w.seq},
        id ${w.text} NOT NULL,
        window_id ${w.text},
        doc ${w.text} NOT NULL
      );
      -- Each target's progress through the events, and which replica delivers to it until when.
      CREATE TABLE event_targets (
        id ${w.text} PRIMARY KEY,
        doc ${w.text} NOT NULL,
        delivered_seq ${w.int} NOT NULL,
        failures ${w.int} NOT NULL DEFAULT 0,
        last_error ${w.text},
        owner ${w.text},
        lease_until ${w.int}
      );
    `,
  },
  {
    version: 11,
    description: 'event targets belong to one account and Region (or to the operator); events are read by account and Region',
    sql: (w) => `
      -- NULL account and region: the operator's target (--event-webhook, --eventbridge-endpoint), which
      -- receives every account's events. Targets made before owners existed cannot say who added them:
      -- they are given to the default account and Region (000000000000, us-east-1; wire/scope.ts), the
      -- scope of every control call of a service without --credentials, where they were almost surely
      -- added. Start-up gives the targets still named by the flags back to the operator (same ids).
      ALTER TABLE event_targets ADD COLUMN account ${w.text};
      ALTER TABLE event_targets ADD COLUMN region ${w.text};
      UPDATE event_targets SET account = '000000000000', region = 'us-east-1';
      ALTER TABLE events ADD COLUMN account ${w.text};
      ALTER TABLE events ADD COLUMN region ${w.text};
      UPDATE events SET ${w.pick({
  sqlite: "account = json_extract(doc, '$.account'), region = json_extract(doc, '$.region')",
  postgres: "account = doc::jsonb ->> 'account', region = doc::jsonb ->> 'region'",
})};
      CREATE INDEX events_by_scope ON events (account, region, seq);
    `,
  },
  {
    version: 12,
    description: 'windows, window executions, task executions and invocations carry a version, bumped by every write of their document',
    sql: (w) => `
      -- The version of a record's document: 1 when inserted, +1 by each statement that writes the doc
      -- (service/ports/keyed.ts, Stored). The wire's answer memo is keyed on it (wire/json-text.ts).
      -- A later migration that rewrites these documents must bump it too.
      ALTER TABLE windows ADD COLUMN version ${w.int} NOT NULL DEFAULT 1;
      ALTER TABLE window_executions ADD COLUMN version ${w.int} NOT NULL DEFAULT 1;
      ALTER TABLE task_executions ADD COLUMN version ${w.int} NOT NULL DEFAULT 1;
      ALTER TABLE invocations ADD COLUMN version ${w.int} NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 13,
    description: 'user documents (CreateDocument): one row per document, its versions with their content as sent',
    sql: (w) => `${documentTable('documents', w)}
      -- id is the document's name. Versions are numbered per document; the content is in doc, as sent.
      CREATE TABLE document_versions (
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        name ${w.text} NOT NULL,
        version ${w.int} NOT NULL,
        doc ${w.text} NOT NULL,
        PRIMARY KEY (account, region, name, version)
      );
    `,
  },
  {
    version: 14,
    description: 'document sharing (ModifyDocumentPermission): the accounts, or all, a document is shared with and which version',
    sql: (w) => `
      -- account, region, name: the owner's document. shared_with: a 12-digit account id, or 'all' (public).
      -- shared_version: $DEFAULT, $LATEST or $ALL. seq keeps the order the shares were first given.
      CREATE TABLE document_permissions (
        seq ${w.seq},
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        name ${w.text} NOT NULL,
        shared_with ${w.text} NOT NULL,
        shared_version ${w.text} NOT NULL,
        UNIQUE (account, region, name, shared_with)
      );
      -- The documents shared with an account (or with all), for its ListDocuments and its reads by ARN.
      CREATE INDEX document_permissions_by_sharee ON document_permissions (region, shared_with, seq);
    `,
  },
  {
    version: 15,
    description: 'automation executions (StartAutomationExecution, AUTOMATION tasks) and the inbox of what reaches them',
    sql: (w) => `${documentTable('automation_executions', w)}
      -- status, due_at and parent_id beside the document: the engine finds what is due (a sleep ends, a
      -- step times out) and the listings filter without reading every document.
      ALTER TABLE automation_executions ADD COLUMN status ${w.text} NOT NULL DEFAULT 'Pending';
      ALTER TABLE automation_executions ADD COLUMN due_at ${w.int};
      ALTER TABLE automation_executions ADD COLUMN parent_id ${w.text};
      CREATE INDEX automation_executions_due ON automation_executions (due_at) WHERE due_at IS NOT NULL;
      -- What reaches a running execution from elsewhere (its step's command ended, a call answered, a
      -- signal): written by whoever has it, taken in order by the engine step that moves the execution.
      CREATE TABLE automation_inbox (
        seq ${w.seq},
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        execution_id ${w.text} NOT NULL,
        at ${w.int} NOT NULL,
        doc ${w.text} NOT NULL
      );
      CREATE INDEX automation_inbox_by_execution ON automation_inbox (account, region, execution_id, seq);
      CREATE INDEX automation_inbox_by_time ON automation_inbox (at);
    `,
  },
  {
    version: 16,
    description: 'Session Manager sessions (StartSession) and the signals waiting for a node\'s agent',
    sql: (w) => `${documentTable('sessions', w)}
      -- status and node_id beside the document: DescribeSessions lists by State, DeregisterManagedInstance
      -- ends a node's sessions, without reading every document.
      ALTER TABLE sessions ADD COLUMN status ${w.text} NOT NULL DEFAULT 'Connecting';
      ALTER TABLE sessions ADD COLUMN node_id ${w.text} NOT NULL DEFAULT '';
      CREATE INDEX sessions_by_status ON sessions (account, region, status, seq);
      CREATE INDEX sessions_by_node ON sessions (account, region, node_id, status);
      -- The data channel's URL names the session id alone.
      CREATE INDEX sessions_by_session_id ON sessions (id);
      -- Start and terminate signals for a node's agent, taken by its control channel; sent_at marks one
      -- handed out (kept, so what was handed out can be told apart from what never was).
      CREATE TABLE session_signals (
        seq ${w.seq},
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        node_id ${w.text} NOT NULL,
        session_id ${w.text} NOT NULL,
        at ${w.int} NOT NULL,
        sent_at ${w.int},
        doc ${w.text} NOT NULL
      );
      CREATE INDEX session_signals_pending ON session_signals (account, region, node_id, seq) WHERE sent_at IS NULL;
      CREATE INDEX session_signals_by_session ON session_signals (account, region, session_id);
    `,
  },
  {
    version: 17,
    description: 'session transcripts (--session-transcripts): each session\'s output, in the order written',
    sql: (w) => `
      -- chunk: the bytes base64-encoded, as text on both engines (PostgreSQL's text cannot hold every byte,
      -- and one column type keeps the engines' schemas the same). at: when the chunk was written.
      CREATE TABLE session_transcripts (
        seq ${w.seq},
        account ${w.text} NOT NULL,
        region ${w.text} NOT NULL,
        session_id ${w.text} NOT NULL,
        at ${w.int} NOT NULL,
        chunk ${w.text} NOT NULL
      );
      CREATE INDEX session_transcripts_by_session ON session_transcripts (account, region, session_id, seq);
    `,
  },
];
