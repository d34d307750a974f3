// The exceptions CreateDocument and UpdateDocument answer for content they refuse. Each carries the fact
// that made the content wrong; the message is AWS's where we found it, marked [I] (inferred) otherwise.
//
// Evidence for AWS's words:
// - "JSON not well-formed. at Line: 1, Column: 6" (InvalidDocumentContent): github.com/awslabs/amazon-eks-ami
//   issue 716 and pull 1227; github.com/aws-samples/aws-batch-genomics issue 14.
// - `Parameter "PackageVersion" is not declared.` (InvalidDocumentContent, an Automation YAML document):
//   github.com/CrowdStrike/aws-ssm-distributor issue 66.
// - "Document schema version is invalid. Value: 3.0" (InvalidDocumentContent, Automation with 3.0):
//   github.com/hashicorp/terraform-provider-aws pull 21213.
// - InvalidDocumentSchemaVersion for a schema version the document type does not take ("Document type is
//   required for schema version 2.0"): github.com/hashicorp/terraform issue 11788.

import { ServiceError } from './errors.ts';

export type ContentProblem =
  | { problem: 'json'; line: number; column: number }
  | { problem: 'yaml'; line: number; column: number } // [I] worded after the JSON one
  | { problem: 'not-object' } // [I]
  | { problem: 'format'; format: string; documentType: string } // [I] TEXT for a type that takes no TEXT
  | { problem: 'schema-missing' } // [I]
  | { problem: 'schema-invalid'; schemaVersion: string }
  | { problem: 'undeclared'; name: string }
  | { problem: 'field'; where: string; field: string; expected: string } // [I] a missing or mistyped field
  | { problem: 'no-steps'; field: string } // [I]
  | { problem: 'step-name'; name: string; pattern: string } // [I]
  | { problem: 'duplicate-step'; name: string } // [I]
  | { problem: 'action'; step: string; action: string } // [I]
  | { problem: 'precondition'; step: string } // [I]
  | { problem: 'parameter-type'; name: string; type: string } // [I]
  | { problem: 'parameter-name'; name: string } // [I]
  | { problem: 'parameter-attribute'; name: string; attribute: string } // [I] e.g. maxItems on a String
  | { problem: 'pattern-invalid'; name: string; pattern: string } // [I]
  | { problem: 'default'; name: string; rule: string }; // [I] a default that breaks its own constraint

function contentMessage(p: ContentProblem): string {
  switch (p.problem) {
    case 'json':
      return `JSON not well-formed. at Line: ${p.line}, Column: ${p.column}`;
    case 'yaml':
      return `YAML not well-formed. at Line: ${p.line}, Column: ${p.column}`;
    case 'not-object':
      return 'The content for the document is not valid.';
    case 'format':
      return `Document format ${p.format} is not supported for document type ${p.documentType}.`;
    case 'schema-missing':
      return 'Document schema version is invalid. Value: null';
    case 'schema-invalid':
      return `Document schema version is invalid. Value: ${p.schemaVersion}`;
    case 'undeclared':
      return `Parameter "${p.name}" is not declared.`;
    case 'field':
      return `${p.where}: ${p.field} must be ${p.expected}.`;
    case 'no-steps':
      return `Document must contain at least one step in ${p.field}.`;
    case 'step-name':
      return `Step name "${p.name}" does not match pattern ${p.pattern}.`;
    case 'duplicate-step':
      return `Step name "${p.name}" is used more than once.`;
    case 'action':
      return `Action "${p.action}" in step "${p.step}" is not supported.`;
    case 'precondition':
      return `Precondition in step "${p.step}" is not valid.`;
    case 'parameter-type':
      return `Parameter "${p.name}" has type "${p.type}", which is not supported.`;
    case 'parameter-name':
      return `Parameter name "${p.name}" is not valid.`;
    case 'parameter-attribute':
      return `Parameter "${p.name}" has an invalid ${p.attribute}.`;
    case 'pattern-invalid':
      return `Parameter "${p.name}" has an allowedPattern that is not a valid regular expression: ${p.pattern}`;
    case 'default':
      return `Default value of parameter "${p.name}" does not satisfy its ${p.rule}.`;
  }
}

export class InvalidDocumentContent extends ServiceError {
  readonly detail: ContentProblem;
  constructor(detail: ContentProblem) {
    super('InvalidDocumentContent', contentMessage(detail));
    this.detail = detail;
  }
}

/** A schema version that exists, but not for this document type. [I] the wording. */
export class InvalidDocumentSchemaVersion extends ServiceError {
  readonly schemaVersion: string;
  readonly documentType: string;
  constructor(fact: { schemaVersion: string; documentType: string }) {
    super('InvalidDocumentSchemaVersion', `Document type ${fact.documentType} does not support schema version ${fact.schemaVersion}.`);
    this.schemaVersion = fact.schemaVersion;
    this.documentType = fact.documentType;
  }
}
