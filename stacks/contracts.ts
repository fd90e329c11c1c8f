import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { environmentSettingsSchema } from "./settings";
import type { StackKind } from "./environments";

const arn = z.string().regex(/^arn:aws[a-z-]*:/, "an ARN");
const name = z.string().min(1);
const url = z.url();

/**
 * What each stack exports: the stack's program returns exactly these outputs, and other stacks read them through
 * `reference()`. The schemas are the contract; the TypeScript types are derived from them.
 */
export const contracts = {
  // What AWS keeps one of per account and region, shared by the account's environments.
  bootstrap: z.strictObject({
    /** The role API Gateway writes the account's REST API logs with (the account's CloudWatch role setting). */
    apiGatewayCloudWatchRoleArn: arn,
    /** The X-Ray resource policy that lets SNS send the segments of the account's actively traced topics. */
    snsTracingPolicyName: name,
  }),
  platform: z.strictObject({
    busArn: arn,
    busName: name,
    alarmTopicArn: arn,
    settings: environmentSettingsSchema,
  }),
  orders: z.strictObject({
    ordersTableName: name,
    ordersTableArn: arn,
    ordersTableStreamArn: arn,
    apiUrl: url,
    confirmOrderFunctionArn: arn,
    cancelOrderFunctionArn: arn,
    orderPlacedFromStreamFunctionArn: arn,
    /** The customers' user pool, and what a storefront or back end needs to get tokens from it. */
    userPoolId: z.string().regex(/^[a-z]{2}-[a-z-]+-\d_[A-Za-z0-9]+$/, "a user pool id"),
    storefrontClientId: name,
    backOfficeClientId: name,
    tokenEndpoint: url,
    /** The API keys that identify each client to its usage plan (`aws apigateway get-api-key --include-value`). */
    storefrontApiKeyId: name,
    backOfficeApiKeyId: name,
  }),
  inventory: z.strictObject({
    stockTableName: name,
    /** What is sold and at what price (handlers/shared/catalog.ts); the orders API prices orders from it. */
    catalogTableName: name,
    catalogTableArn: arn,
    reserveStockFunctionArn: arn,
    releaseStockFunctionArn: arn,
  }),
  payments: z.strictObject({
    paymentsTableName: name,
    chargePaymentFunctionArn: arn,
    refundPaymentFunctionArn: arn,
  }),
  shipping: z.strictObject({
    shipmentsTableName: name,
    shippingQueueUrl: url,
    shippingRuleArn: arn,
    labelsQueueUrl: url,
    labelWorkerServiceName: name,
  }),
  notifications: z.strictObject({
    notificationsTopicArn: arn,
    notificationsRuleArn: arn,
    emailQueueUrl: url,
    smsQueueUrl: url,
    /** The DNS records that verify the sender domain with SES (DKIM); none for an address identity. */
    emailDkimRecords: z.array(z.string()),
  }),
  checkout: z.strictObject({
    sagaArn: arn,
    pipeArn: arn,
  }),
} as const satisfies Record<StackKind, z.ZodObject>;

/** The outputs a stack of a kind exports. */
export type StackOutputs<K extends StackKind> = z.infer<(typeof contracts)[K]>;

/** What a stack program returns: exactly its contract's outputs, as values or Outputs. */
export type Exports<K extends StackKind> = { [P in keyof StackOutputs<K>]: pulumi.Input<StackOutputs<K>[P]> };

/** For each consumer, the outputs it reads from each producer. The dependency graph is derived from this alone. */
export const requires = {
  bootstrap: {},
  // Every stack of an environment follows the platform, so the account's bootstrap (the API Gateway CloudWatch role the
  // orders API's access logs need among it) is in place before any of them.
  platform: { bootstrap: ["snsTracingPolicyName"] },
  orders: { platform: ["busArn", "busName", "alarmTopicArn", "settings"], inventory: ["catalogTableName", "catalogTableArn"] },
  inventory: { platform: ["alarmTopicArn", "settings"] },
  payments: { platform: ["alarmTopicArn", "settings"] },
  shipping: { platform: ["busArn", "busName", "alarmTopicArn", "settings"] },
  notifications: { platform: ["busArn", "busName", "alarmTopicArn", "settings"], bootstrap: ["snsTracingPolicyName"] },
  checkout: {
    platform: ["busArn", "busName", "alarmTopicArn", "settings"],
    orders: ["ordersTableArn", "ordersTableStreamArn", "ordersTableName", "confirmOrderFunctionArn", "cancelOrderFunctionArn", "orderPlacedFromStreamFunctionArn"],
    inventory: ["reserveStockFunctionArn", "releaseStockFunctionArn"],
    payments: ["chargePaymentFunctionArn", "refundPaymentFunctionArn"],
  },
} as const satisfies { [C in StackKind]: { [P in StackKind]?: readonly (keyof StackOutputs<P>)[] } };

export type Requirements = typeof requires;
