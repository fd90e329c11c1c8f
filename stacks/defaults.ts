import type * as pulumi from "@pulumi/pulumi";
import { EventBus, type EventBusBase } from "../components/event-bus";
import type { FunctionArgs } from "../components/function";
import type { Reference } from "./reference";
import type { StackIdentity } from "./environments";
import type { EnvironmentSettings } from "./settings";

/** Metric namespace of every function's EMF metrics (Powertools). */
export const METRICS_NAMESPACE = "orderflow";

/**
 * What every function of a domain shares: the environment's log retention, log level and reserved concurrency, the
 * alarm topic, and the Powertools service name (the domain) and namespace.
 */
export function functionDefaults(
  id: StackIdentity,
  settings: EnvironmentSettings,
  alarmTopicArn: pulumi.Input<string>,
): Pick<FunctionArgs, "serviceName" | "logLevel" | "metricsNamespace" | "logRetentionInDays" | "alarmTopicArn" | "reservedConcurrency"> {
  return {
    serviceName: id.kind,
    logLevel: settings.logLevel,
    metricsNamespace: METRICS_NAMESPACE,
    logRetentionInDays: settings.logRetentionDays,
    alarmTopicArn,
    reservedConcurrency: settings.reservedConcurrency === "none" ? undefined : settings.reservedConcurrency,
  };
}

/** What every table of the environment shares: point-in-time recovery and deletion protection from settings. */
export function tableDefaults(settings: EnvironmentSettings) {
  return { pointInTimeRecovery: settings.pointInTimeRecovery, deletionProtection: settings.deletionProtection };
}

/**
 * The environment's `orders` bus, owned by the platform stack, for a domain stack to put events on and create its rules
 * on (a rule lives in the stack that consumes it); its rules' dead-letter alarms go to the platform's alarm topic.
 */
export function platformBus(platform: Reference<"platform">): EventBusBase {
  return EventBus.fromAttributes("orders", { arn: platform.busArn, busName: platform.busName, alarmTopicArn: platform.alarmTopicArn });
}
