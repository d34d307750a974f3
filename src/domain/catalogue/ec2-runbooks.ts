// Automation runbooks (schema 0.3) over EC2 instances. Parameters and platforms: AWS's "Automation runbook
// reference" pages (docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide/automation-aws-
// restartec2instance.html and its neighbours): InstanceId a StringList for Restart, Stop and Start, a
// String for CreateImage (with NoReboot, a Boolean); AutomationAssumeRole optional; Linux, macOS and
// Windows. The steps are ours, with the actions AWS's Automation actions reference gives for the work.
// They are stored and described here; running one is Automation's (issue 22).

import { type CatalogueEntry, published } from './entry.ts';

const EC2_INSTANCE = '/AWS::EC2::Instance';

export const restartEc2Instance: CatalogueEntry = {
  name: 'AWS-RestartEC2Instance',
  documentType: 'Automation',
  documentFormat: 'JSON',
  createdAt: published(2017, 11, 29),
  targetType: EC2_INSTANCE,
  content: String.raw`{
  "schemaVersion": "0.3",
  "description": "Restarts one or more EC2 instances: stops them, then starts them again.",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "StringList",
      "description": "(Required) The IDs of the EC2 instances to restart."
    },
    "AutomationAssumeRole": {
      "type": "String",
      "description": "(Optional) The ARN of the IAM role Automation assumes to act for you; without one, the permissions of the user who starts the runbook.",
      "default": ""
    }
  },
  "mainSteps": [
    {
      "name": "stopInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "stopped"
      }
    },
    {
      "name": "startInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "running"
      }
    }
  ]
}
`,
};

export const stopEc2Instance: CatalogueEntry = {
  name: 'AWS-StopEC2Instance',
  documentType: 'Automation',
  documentFormat: 'JSON',
  createdAt: published(2017, 11, 29),
  targetType: EC2_INSTANCE,
  content: String.raw`{
  "schemaVersion": "0.3",
  "description": "Stops one or more EC2 instances.",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "StringList",
      "description": "(Required) The IDs of the EC2 instances to stop."
    },
    "AutomationAssumeRole": {
      "type": "String",
      "description": "(Optional) The ARN of the IAM role Automation assumes to act for you; without one, the permissions of the user who starts the runbook.",
      "default": ""
    }
  },
  "mainSteps": [
    {
      "name": "stopInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "stopped"
      }
    }
  ]
}
`,
};

export const startEc2Instance: CatalogueEntry = {
  name: 'AWS-StartEC2Instance',
  documentType: 'Automation',
  documentFormat: 'JSON',
  createdAt: published(2017, 11, 29),
  targetType: EC2_INSTANCE,
  content: String.raw`{
  "schemaVersion": "0.3",
  "description": "Starts one or more EC2 instances.",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "StringList",
      "description": "(Required) The IDs of the EC2 instances to start."
    },
    "AutomationAssumeRole": {
      "type": "String",
      "description": "(Optional) The ARN of the IAM role Automation assumes to act for you; without one, the permissions of the user who starts the runbook.",
      "default": ""
    }
  },
  "mainSteps": [
    {
      "name": "startInstances",
      "action": "aws:changeInstanceState",
      "inputs": {
        "InstanceIds": "{{ InstanceId }}",
        "DesiredState": "running"
      }
    }
  ]
}
`,
};

export const createImage: CatalogueEntry = {
  name: 'AWS-CreateImage',
  documentType: 'Automation',
  documentFormat: 'JSON',
  createdAt: published(2017, 11, 29),
  targetType: EC2_INSTANCE,
  content: String.raw`{
  "schemaVersion": "0.3",
  "description": "Creates an Amazon Machine Image (AMI) from an EC2 instance.",
  "assumeRole": "{{ AutomationAssumeRole }}",
  "parameters": {
    "InstanceId": {
      "type": "String",
      "description": "(Required) The ID of the EC2 instance."
    },
    "NoReboot": {
      "type": "Boolean",
      "description": "(Optional) true: do not reboot the instance before the image is taken.",
      "default": false
    },
    "AutomationAssumeRole": {
      "type": "String",
      "description": "(Optional) The ARN of the IAM role Automation assumes to act for you; without one, the permissions of the user who starts the runbook.",
      "default": ""
    }
  },
  "mainSteps": [
    {
      "name": "createImage",
      "action": "aws:createImage",
      "onFailure": "Abort",
      "inputs": {
        "InstanceId": "{{ InstanceId }}",
        "ImageName": "{{ InstanceId }}_{{ automation:EXECUTION_ID }}",
        "NoReboot": "{{ NoReboot }}"
      }
    }
  ],
  "outputs": [
    "createImage.ImageId"
  ]
}
`,
};
