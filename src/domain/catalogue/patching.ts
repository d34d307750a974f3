// Patch Manager's Command documents. Parameters, their values and patterns, and the platforms: AWS's
// "SSM Command document for patching: AWS-RunPatchBaseline" page (docs.aws.amazon.com/systems-manager/
// latest/userguide/patch-manager-aws-runpatchbaseline.html; github.com/awsdocs/aws-systems-manager-user-
// guide, doc_source/patch-manager-aws-runpatchbaseline.md): Operation Scan | Install (required), AssociationId,
// Snapshot ID (a GUID), InstallOverrideList and BaselineOverride (an https or s3 URL), RebootOption
// RebootIfNeeded | NoReboot; Linux, macOS and Windows Server. AWS-ApplyPatchBaseline is the legacy
// Windows-only document with Operation and SnapshotId.
//
// The steps are ours. On AWS each downloads Patch Manager's payload from the aws-ssm-<region> S3 bucket and
// asks Patch Manager for the baseline snapshot (GetDeployablePatchSnapshotForInstance); this service serves
// neither, so each step says so on standard error and exits 1 rather than reach for AWS (docs/coverage.md).

import { type CatalogueEntry, published } from './entry.ts';

export const runPatchBaseline: CatalogueEntry = {
  name: 'AWS-RunPatchBaseline',
  documentType: 'Command',
  documentFormat: 'JSON',
  createdAt: published(2017, 9, 5),
  content: String.raw`{
  "schemaVersion": "2.2",
  "description": "Scans for or installs patches from a patch baseline to a Linux, macOS or Windows Server managed node.",
  "parameters": {
    "Operation": {
      "type": "String",
      "description": "(Required) Scan reports which patches of the patch baseline are missing; Install installs them.",
      "allowedValues": [
        "Scan",
        "Install"
      ]
    },
    "AssociationId": {
      "type": "String",
      "description": "(Optional) The State Manager association whose compliance the results are reported under.",
      "default": "",
      "allowedPattern": "(^$)|^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$"
    },
    "SnapshotId": {
      "type": "String",
      "description": "(Optional) A GUID naming the patch baseline snapshot, so that every node of one operation gets the same patches.",
      "default": "",
      "allowedPattern": "(^$)|^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$"
    },
    "InstallOverrideList": {
      "type": "String",
      "description": "(Optional) An https URL or an s3:// path to a YAML list of the patches to install instead of the baseline's.",
      "default": "",
      "allowedPattern": "(^https://.+$)|(^s3://([^/]+)/(.*?([^/]+))$)|(^$)"
    },
    "RebootOption": {
      "type": "String",
      "description": "(Optional) RebootIfNeeded reboots the node after an installation that needs it; NoReboot never does.",
      "default": "RebootIfNeeded",
      "allowedValues": [
        "RebootIfNeeded",
        "NoReboot"
      ]
    },
    "BaselineOverride": {
      "type": "String",
      "description": "(Optional) An https URL or an s3:// path to a JSON list of patch baselines to use instead of the node's own.",
      "default": "",
      "allowedPattern": "(^https://.+$)|(^s3://([^/]+)/(.*?([^/]+))$)|(^$)"
    }
  },
  "mainSteps": [
    {
      "precondition": {
        "StringEquals": [
          "platformType",
          "Windows"
        ]
      },
      "action": "aws:runPowerShellScript",
      "name": "PatchWindows",
      "inputs": {
        "timeoutSeconds": 7200,
        "runCommand": [
          "[Console]::Error.WriteLine('AWS-RunPatchBaseline {{ Operation }}: the patching module comes from the aws-ssm-' + $env:AWS_SSM_REGION_NAME + ' S3 bucket and the baseline snapshot from Patch Manager (GetDeployablePatchSnapshotForInstance).')",
          "[Console]::Error.WriteLine('This service serves neither: nothing was scanned or installed.')",
          "exit 1"
        ]
      }
    },
    {
      "precondition": {
        "StringEquals": [
          "platformType",
          "Linux"
        ]
      },
      "action": "aws:runShellScript",
      "name": "PatchLinux",
      "inputs": {
        "timeoutSeconds": 7200,
        "runCommand": [
          "echo \"AWS-RunPatchBaseline {{ Operation }}: the patching payload comes from the aws-ssm-$AWS_SSM_REGION_NAME S3 bucket and the baseline snapshot from Patch Manager (GetDeployablePatchSnapshotForInstance).\" >&2",
          "echo 'This service serves neither: nothing was scanned or installed.' >&2",
          "exit 1"
        ]
      }
    },
    {
      "precondition": {
        "StringEquals": [
          "platformType",
          "MacOS"
        ]
      },
      "action": "aws:runShellScript",
      "name": "PatchMacOS",
      "inputs": {
        "timeoutSeconds": 7200,
        "runCommand": [
          "echo \"AWS-RunPatchBaseline {{ Operation }}: the patching payload comes from the aws-ssm-$AWS_SSM_REGION_NAME S3 bucket and the baseline snapshot from Patch Manager (GetDeployablePatchSnapshotForInstance).\" >&2",
          "echo 'This service serves neither: nothing was scanned or installed.' >&2",
          "exit 1"
        ]
      }
    }
  ]
}
`,
};

export const applyPatchBaseline: CatalogueEntry = {
  name: 'AWS-ApplyPatchBaseline',
  documentType: 'Command',
  documentFormat: 'JSON',
  createdAt: published(2016, 12, 1),
  // The one plugin, aws:runPowerShellScript, runs everywhere; AWS lists the document for Windows only.
  platformTypes: ['Windows'],
  content: String.raw`{
  "schemaVersion": "1.2",
  "description": "Scans for or installs patches from a patch baseline to a Windows Server managed node (legacy: AWS-RunPatchBaseline serves every platform).",
  "parameters": {
    "Operation": {
      "type": "String",
      "description": "(Required) Scan reports which patches of the patch baseline are missing; Install installs them.",
      "allowedValues": [
        "Scan",
        "Install"
      ]
    },
    "SnapshotId": {
      "type": "String",
      "description": "(Optional) A GUID naming the patch baseline snapshot, so that every node of one operation gets the same patches.",
      "default": "",
      "allowedPattern": "(^$)|^[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$"
    }
  },
  "runtimeConfig": {
    "aws:runPowerShellScript": {
      "properties": [
        {
          "id": "0.aws:runPowerShellScript",
          "timeoutSeconds": "7200",
          "runCommand": [
            "[Console]::Error.WriteLine('AWS-ApplyPatchBaseline {{ Operation }}: the patching module comes from the aws-ssm-' + $env:AWS_SSM_REGION_NAME + ' S3 bucket and the baseline snapshot from Patch Manager (GetDeployablePatchSnapshotForInstance).')",
            "[Console]::Error.WriteLine('This service serves neither: nothing was scanned or installed.')",
            "exit 1"
          ]
        }
      ]
    }
  }
}
`,
};
