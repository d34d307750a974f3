// Terraform's aws_ssm_document lifecycle against the real service, with the real terraform CLI and the
// hashicorp/aws provider from the image's filesystem mirror (no network): create (YAML Command document,
// tags, a private share), a plan with no diff, an update (new content: UpdateDocument then
// UpdateDocumentDefaultVersion; new tags; the share moved to another account), a plan with no diff again,
// destroy (the share removed, then DeleteDocument). What the service holds is checked with the JS SDK.
// Skips, with one line, when terraform or the provider mirror is absent.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  DescribeDocumentCommand,
  DescribeDocumentPermissionCommand,
  GetDocumentCommand,
  ListDocumentVersionsCommand,
  ListTagsForResourceCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { rejectsWith } from '../support/errors.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const OWNER = '111122223333';
const FIRST_READER = '444455556666';
const SECOND_READER = '777788889999';
const PROVIDER = 'registry.terraform.io/hashicorp/aws';

/** The folder that holds registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH, and the version there. */
function providerMirror(): { path: string; version: string } | undefined {
  const candidates = [process.env.MW_TERRAFORM_MIRROR, '/opt/tf-plugins', '/usr/share/terraform/plugins', '/usr/local/share/terraform/plugins',
    join(process.env.HOME ?? '/root', '.terraform.d/plugins')];
  for (const path of candidates) {
    if (!path || !existsSync(join(path, PROVIDER))) continue;
    const version = readdirSync(join(path, PROVIDER)).find((v) => /^\d+\.\d+\.\d+$/.test(v));
    if (version) return { path, version };
  }
  return undefined;
}

const hasTerraform = spawnSync('terraform', ['version'], { stdio: 'ignore', env: { ...process.env, TF_CLI_CONFIG_FILE: '/dev/null' } }).status === 0;
const mirror = providerMirror();
const skip = !hasTerraform ? 'terraform CLI not installed' : !mirror ? `no filesystem mirror holding ${PROVIDER}` : false;

const content = (message: string) => `schemaVersion: '2.2'
description: Say something
parameters:
  extra:
    type: String
    default: ''
mainSteps:
  - action: aws:runShellScript
    name: say
    inputs:
      runCommand:
        - echo ${message} {{ extra }}
`;

function configuration(endpoint: string, version: string, input: { message: string; tags: Record<string, string>; accounts: string }): string {
  const tags = Object.entries(input.tags).map(([k, v]) => `    ${k} = ${JSON.stringify(v)}`).join('\n');
  return `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "${version}" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "${OWNER}"
  secret_key                  = "secret"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  max_retries                 = 1
  endpoints {
    ssm = "${endpoint}"
  }
}

resource "aws_ssm_document" "say" {
  name            = "tf-say"
  document_type   = "Command"
  document_format = "YAML"
  content         = ${JSON.stringify(content(input.message))}
  tags = {
${tags}
  }
  permissions = {
    type        = "Share"
    account_ids = "${input.accounts}"
  }
}
`;
}

describe('Terraform aws_ssm_document lifecycle', { skip }, () => {
  let server: TestServer;
  let folder: string;
  let ssm: SSMClient;
  before(async () => {
    server = await startTestServer();
    ssm = server.clientFor({ account: OWNER });
    folder = mkdtempSync(join(tmpdir(), 'mw-terraform-'));
    writeFileSync(join(folder, 'cli.tfrc'), `disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror!.path)}
    include = ["${PROVIDER}"]
  }
  direct {
    exclude = ["${PROVIDER}"]
  }
}
`);
  });
  after(async () => {
    await server?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  /** One terraform command in the temp folder; rejects (with its output) when it fails, or after 4 minutes. */
  function terraform(...args: string[]): Promise<{ code: number; output: string }> {
    const env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: join(folder, 'cli.tfrc'),
      TF_DATA_DIR: join(folder, 'data'),
      TF_IN_AUTOMATION: '1',
      CHECKPOINT_DISABLE: '1',
      TF_LOG: '',
      // The provider must find no credentials or endpoints of the machine's own.
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PROFILE: '',
      AWS_ENDPOINT_URL: '',
      AWS_ENDPOINT_URL_SSM: '',
    };
    return new Promise((resolve) => {
      execFile('terraform', [...args, '-input=false', '-no-color'], { cwd: folder, env, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, output: `${stdout}\n${stderr}` });
      });
    });
  }
  const expect = async (code: number, ...args: string[]) => {
    const ran = await terraform(...args);
    assert.equal(ran.code, code, `terraform ${args.join(' ')} exited ${ran.code}:\n${ran.output}`);
    return ran.output;
  };
  const write = (input: Parameters<typeof configuration>[2]) => writeFileSync(join(folder, 'main.tf'), configuration(server.app.endpoint, mirror!.version, input));

  test('create, plan without diff, update (new default version, tags, share), plan without diff, destroy', { timeout: 1_200_000 }, async () => {
    write({ message: 'hello', tags: { Team: 'ops' }, accounts: FIRST_READER });
    await expect(0, 'init');
    await expect(0, 'apply', '-auto-approve');

    const first = (await ssm.send(new DescribeDocumentCommand({ Name: 'tf-say' }))).Document!;
    assert.deepEqual([first.DocumentVersion, first.LatestVersion, first.DefaultVersion, first.DocumentFormat, first.Status], ['1', '1', '1', 'YAML', 'Active']);
    assert.deepEqual(first.Tags, [{ Key: 'Team', Value: 'ops' }]);
    assert.equal((await ssm.send(new GetDocumentCommand({ Name: 'tf-say' }))).Content, content('hello'), 'the content as Terraform sent it');
    assert.deepEqual((await ssm.send(new DescribeDocumentPermissionCommand({ Name: 'tf-say', PermissionType: 'Share' }))).AccountIds, [FIRST_READER]);
    // -detailed-exitcode: 0 is "no changes", 2 would be a diff (a member we answer differently from what was applied).
    await expect(0, 'plan', '-detailed-exitcode');

    write({ message: 'bye', tags: { Team: 'platform', Tier: 'gold' }, accounts: SECOND_READER });
    await expect(0, 'apply', '-auto-approve');
    const second = (await ssm.send(new DescribeDocumentCommand({ Name: 'tf-say' }))).Document!;
    assert.deepEqual([second.DocumentVersion, second.LatestVersion, second.DefaultVersion], ['2', '2', '2'], 'the provider makes the new version the default');
    assert.equal((await ssm.send(new GetDocumentCommand({ Name: 'tf-say' }))).Content, content('bye'));
    assert.deepEqual((await ssm.send(new ListDocumentVersionsCommand({ Name: 'tf-say' }))).DocumentVersions!.map((v) => [v.DocumentVersion, v.IsDefaultVersion]), [['1', false], ['2', true]]);
    const tags = (await ssm.send(new ListTagsForResourceCommand({ ResourceType: 'Document', ResourceId: 'tf-say' }))).TagList!;
    assert.deepEqual(tags.map((t) => `${t.Key}=${t.Value}`).sort(), ['Team=platform', 'Tier=gold']);
    assert.deepEqual((await ssm.send(new DescribeDocumentPermissionCommand({ Name: 'tf-say', PermissionType: 'Share' }))).AccountIds, [SECOND_READER]);
    const reader = server.clientFor({ account: SECOND_READER });
    assert.equal((await reader.send(new GetDocumentCommand({ Name: `arn:aws:ssm:us-east-1:${OWNER}:document/tf-say` }))).Content, content('bye'), 'the account it is shared with reads it');
    await expect(0, 'plan', '-detailed-exitcode');

    await expect(0, 'destroy', '-auto-approve');
    await rejectsWith(ssm.send(new DescribeDocumentCommand({ Name: 'tf-say' })), 'InvalidDocument', 'The specified document does not exist.');
  });
});
