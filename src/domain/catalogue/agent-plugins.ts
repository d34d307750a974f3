// Command documents whose one step is a plugin of the agent's own rather than a script. Parameters: AWS's
// "Command document plugin reference" (github.com/awsdocs/aws-systems-manager-user-guide, doc_source/
// documents-command-ssm-plugin-reference.md): aws:updateSsmAgent (allowDowngrade 'true' | 'false', default
// 'false'; the manifest at https://s3.{Region}.amazonaws.com/amazon-ssm-{Region}/ssm-agent-manifest.json),
// aws:configurePackage (action Install | Uninstall, installationType 'Uninstall and reinstall' | 'In-place
// update', name, version, additionalArguments a StringMap of SSM_* names), aws:downloadContent and
// aws:runDocument (sourceType, sourceInfo, documentParameters). What each does on a real agent pointed at
// this service is in docs/coverage.md ("Amazon catalogue").

import { type CatalogueEntry, published } from './entry.ts';

export const updateSsmAgent: CatalogueEntry = {
  name: 'AWS-UpdateSSMAgent',
  documentType: 'Command',
  documentFormat: 'JSON',
  createdAt: published(2017, 1, 10),
  content: String.raw`{
  "schemaVersion": "1.2",
  "description": "Updates the SSM Agent to the latest version, or to the version given.",
  "parameters": {
    "version": {
      "type": "String",
      "description": "(Optional) The SSM Agent version to install; the latest when empty.",
      "default": ""
    },
    "allowDowngrade": {
      "type": "String",
      "description": "(Optional) true lets the agent move to an earlier version; false (the default) only to a newer one.",
      "default": "false",
      "allowedValues": [
        "true",
        "false"
      ]
    }
  },
  "runtimeConfig": {
    "aws:updateSsmAgent": {
      "properties": [
        {
          "agentName": "amazon-ssm-agent",
          "allowDowngrade": "{{ allowDowngrade }}",
          "source": "https://s3.{Region}.amazonaws.com/amazon-ssm-{Region}/ssm-agent-manifest.json",
          "targetVersion": "{{ version }}"
        }
      ]
    }
  }
}
`,
};

export const configureAwsPackage: CatalogueEntry = {
  name: 'AWS-ConfigureAWSPackage',
  documentType: 'Command',
  documentFormat: 'JSON',
  createdAt: published(2018, 7, 25),
  content: String.raw`{
  "schemaVersion": "2.2",
  "description": "Installs or uninstalls a Distributor package: one AWS publishes, or one of the account's own.",
  "parameters": {
    "action": {
      "type": "String",
      "description": "(Required) Install or uninstall the package.",
      "allowedValues": [
        "Install",
        "Uninstall"
      ]
    },
    "installationType": {
      "type": "String",
      "description": "(Optional) Uninstall and reinstall takes the application offline until it is reinstalled; In-place update adds new or changed files while it keeps running.",
      "default": "Uninstall and reinstall",
      "allowedValues": [
        "Uninstall and reinstall",
        "In-place update"
      ]
    },
    "name": {
      "type": "String",
      "description": "(Required) The package: its name (AmazonCloudWatchAgent, AWSPVDriver, ...) or its ARN.",
      "allowedPattern": "^arn:[a-z0-9][-.a-z0-9]{0,62}:[a-z0-9][-.a-z0-9]{0,62}:([a-z0-9][-.a-z0-9]{0,62})?:([a-z0-9][-.a-z0-9]{0,62})?:(package|document)\\/[a-zA-Z0-9/:.\\-_]{1,128}$|^[a-zA-Z0-9/:.\\-_]{1,128}$"
    },
    "version": {
      "type": "String",
      "description": "(Optional) The package version; when empty, the latest published one to install and the installed one to uninstall.",
      "default": ""
    },
    "additionalArguments": {
      "type": "StringMap",
      "description": "(Optional) Arguments for the package's install, uninstall and update scripts, each named SSM_<name>.",
      "displayType": "textarea",
      "default": {}
    }
  },
  "mainSteps": [
    {
      "action": "aws:configurePackage",
      "name": "configurePackage",
      "inputs": {
        "name": "{{ name }}",
        "action": "{{ action }}",
        "installationType": "{{ installationType }}",
        "version": "{{ version }}",
        "additionalArguments": "{{ additionalArguments }}"
      }
    }
  ]
}
`,
};

// [I] Where aws:downloadContent leaves the document and the path aws:runDocument reads it from: the agent's
// aws:runDocument takes a LocalPath relative to the command's downloads folder, where aws:downloadContent
// writes by default.
export const runDocument: CatalogueEntry = {
  name: 'AWS-RunDocument',
  documentType: 'Command',
  documentFormat: 'JSON',
  createdAt: published(2018, 11, 15),
  content: String.raw`{
  "schemaVersion": "2.2",
  "description": "Runs an SSM document kept in Systems Manager, on GitHub or in Amazon S3.",
  "parameters": {
    "sourceType": {
      "type": "String",
      "description": "(Required) Where the document is: GitHub, S3 or SSMDocument.",
      "allowedValues": [
        "GitHub",
        "S3",
        "SSMDocument"
      ]
    },
    "sourceInfo": {
      "type": "StringMap",
      "description": "(Required) How to reach it: for SSMDocument the document's name, for S3 its https path, for GitHub its owner, repository, path and getOptions.",
      "displayType": "textarea"
    },
    "documentParameters": {
      "type": "StringMap",
      "description": "(Optional) The parameters the document runs with.",
      "displayType": "textarea",
      "default": {}
    }
  },
  "mainSteps": [
    {
      "action": "aws:downloadContent",
      "name": "downloadContent",
      "inputs": {
        "sourceType": "{{ sourceType }}",
        "sourceInfo": "{{ sourceInfo }}",
        "destinationPath": "document"
      }
    },
    {
      "action": "aws:runDocument",
      "name": "runDocument",
      "inputs": {
        "documentType": "LocalPath",
        "documentPath": "document",
        "documentParameters": "{{ documentParameters }}"
      }
    }
  ]
}
`,
};
