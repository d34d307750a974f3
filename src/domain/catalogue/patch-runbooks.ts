// AWS-PatchInstanceWithRollback: patch an instance with AWS-RunPatchBaseline, snapshot its root volume
// first and restore it if the instance is not compliant afterwards. Parameters, platforms and the steps'
// names and actions: AWS's runbook reference page (docs.aws.amazon.com/systems-manager-automation-runbooks/
// latest/userguide/automation-aws-patchinstancewithrollback.html): InstanceId, ReportS3Bucket,
// LambdaAssumeRole and AutomationAssumeRole, all Strings; createDocumentStack (aws:createStack), Lambda calls
// around a PrePatchSnapshot (aws:executeAutomation) and installMissingUpdates (aws:runCommand), and
// deleteCloudFormationTemplate (aws:deleteStack). The inputs are ours, and the stack's template is cut to
// a stand-in: the runbook is stored and described here; running it is Automation's (issue 22).

import { type CatalogueEntry, published } from './entry.ts';

const lambda = (step: string, fn: string, payload: string, extra = '') => String.raw`    {
      "name": "${step}",
      "action": "aws:invokeLambdaFunction",${extra}
      "inputs": {
        "FunctionName": "PatchInstanceWithRollback-${fn}-{{ automation:EXECUTION_ID }}",
        "Payload": "${payload}"
      }
    }`;

export const patchInstanceWithRollback: CatalogueEntry = {
  name: 'AWS-PatchInstanceWithRollback',
  documentType: 'Automation',
  documentFormat: 'JSON',
  createdAt: published(2018, 3, 14),
  targetType: '/AWS::EC2::Instance',
  content: String.raw`{
  "schemaVersion": "0.3",
  "description": "Brings an EC2 instance into compliance with its patch baseline, and rolls its root volume back if patching fails.",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "String",
      "description": "(Required) The EC2 instance to patch."
    },
    "ReportS3Bucket": {
      "type": "String",
      "description": "(Optional) The S3 bucket the compliance report of the run is written to.",
      "default": ""
    },
    "LambdaAssumeRole": {
      "type": "String",
      "description": "(Optional) The ARN of the role the runbook's Lambda functions run as; without one, a role is made for the run.",
      "default": ""
    },
    "AutomationAssumeRole": {
      "type": "String",
      "description": "(Optional) The ARN of the IAM role Automation assumes to act for you; without one, the permissions of the user who starts the runbook.",
      "default": ""
    }
  },
  "mainSteps": [
    {
      "name": "createDocumentStack",
      "action": "aws:createStack",
      "inputs": {
        "StackName": "PatchInstanceWithRollback-{{ automation:EXECUTION_ID }}",
        "Capabilities": [
          "CAPABILITY_IAM"
        ],
        "TemplateBody": "AWSTemplateFormatVersion: '2010-09-09'\nDescription: The Lambda functions AWS-PatchInstanceWithRollback calls (a stand-in here)\nParameters:\n  LambdaRoleArn:\n    Type: String\n    Default: ''\nResources:\n  Functions:\n    Type: AWS::CloudFormation::WaitConditionHandle\n",
        "Parameters": [
          {
            "ParameterKey": "LambdaRoleArn",
            "ParameterValue": "{{ LambdaAssumeRole }}"
          }
        ]
      }
    },
${lambda('IdentifyRootVolume', 'RootVolume', String.raw`{\"InstanceId\": \"{{ InstanceId }}\"}`)},
    {
      "name": "PrePatchSnapshot",
      "action": "aws:executeAutomation",
      "inputs": {
        "DocumentName": "AWS-CreateSnapshot",
        "RuntimeParameters": {
          "VolumeId": [
            "{{ IdentifyRootVolume.Payload }}"
          ],
          "Description": [
            "Root volume of {{ InstanceId }} before patching"
          ]
        }
      }
    },
    {
      "name": "installMissingUpdates",
      "action": "aws:runCommand",
      "onFailure": "Continue",
      "inputs": {
        "DocumentName": "AWS-RunPatchBaseline",
        "InstanceIds": [
          "{{ InstanceId }}"
        ],
        "Parameters": {
          "Operation": "Install"
        }
      }
    },
${lambda('SleepThruInstallation', 'WaitForReboot', String.raw`{\"InstanceId\": \"{{ InstanceId }}\"}`)},
${lambda('CheckCompliance', 'Compliance', String.raw`{\"InstanceId\": \"{{ InstanceId }}\"}`)},
${lambda('SaveComplianceReportToS3', 'Report', String.raw`{\"InstanceId\": \"{{ InstanceId }}\", \"ReportS3Bucket\": \"{{ ReportS3Bucket }}\"}`)},
${lambda('ReportSuccessOrFailure', 'Outcome', String.raw`{\"Compliance\": \"{{ CheckCompliance.Payload }}\"}`, String.raw`
      "onFailure": "step:RestoreFromSnapshot",
      "nextStep": "DeleteSnapshot",`)},
${lambda('RestoreFromSnapshot', 'Restore', String.raw`{\"InstanceId\": \"{{ InstanceId }}\", \"SnapshotId\": \"{{ PrePatchSnapshot.Output }}\"}`)},
${lambda('DeleteSnapshot', 'DeleteSnapshot', String.raw`{\"SnapshotId\": \"{{ PrePatchSnapshot.Output }}\"}`)},
    {
      "name": "deleteCloudFormationTemplate",
      "action": "aws:deleteStack",
      "isEnd": true,
      "inputs": {
        "StackName": "PatchInstanceWithRollback-{{ automation:EXECUTION_ID }}"
      }
    }
  ],
  "outputs": [
    "IdentifyRootVolume.Payload",
    "PrePatchSnapshot.Output",
    "SaveComplianceReportToS3.Payload"
  ]
}
`,
};
