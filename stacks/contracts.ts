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
  }),
  checkout: z.strictObject({
    sagaArn: arn,
    pipeArn: arn,
  }),
} as const satisfies Record<StackKind, z.ZodObject>;

/** The outputs a stack of a kind exports. */
export type StackOutputs<K extends StackKind> = z.infer<(typeof contracts)[K]>;

/** For each consumer, the outputs it reads from each producer. The dependency graph is derived from this alone. */
export const requires = {
  platform: {},
  orders: { platform: ["busArn", "busName", "alarmTopicArn", "settings"] },
  inventory: { platform: ["alarmTopicArn", "settings"] },
  payments: { platform: ["alarmTopicArn", "settings"] },
  shipping: { platform: ["busArn", "busName", "alarmTopicArn", "settings"] },
  notifications: { platform: ["busArn", "busName", "alarmTopicArn", "settings"] },
  checkout: {
    platform: ["busArn", "busName", "alarmTopicArn", "settings"],
    orders: ["ordersTableArn", "ordersTableStreamArn", "ordersTableName", "confirmOrderFunctionArn", "cancelOrderFunctionArn", "orderPlacedFromStreamFunctionArn"],
    inventory: ["reserveStockFunctionArn", "releaseStockFunctionArn"],
    payments: ["chargePaymentFunctionArn", "refundPaymentFunctionArn"],
  },
} as const satisfies { [C in StackKind]: { [P in StackKind]?: readonly (keyof StackOutputs<P>)[] } };

export type Requirements = typeof requires;
