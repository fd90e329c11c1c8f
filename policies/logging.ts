import { definePolicy, type OrderflowPolicy } from "./lib/define";
import * as t from "./lib/types";
import { at, isUnknown } from "./lib/values";

// Logs that exist when an order goes wrong, and that do not pile up forever.

const sfnLoggingAll = definePolicy({
  name: "sfn-logging-all",
  description: "Step Functions state machines log every event (loggingConfiguration level ALL) to a log group, so a failed saga can be replayed step by step.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.STATE_MACHINE],
  validateResource: (sm, report) => {
    const level = at(sm.props, "loggingConfiguration", "level");
    if (isUnknown(level)) return report.unknown(sm, "`loggingConfiguration.level`");
    const fix = "use the Saga component (it logs at level ALL to its own log group by default), or set `loggingConfiguration: { level: \"ALL\", logDestination }`";
    if (level !== "ALL") {
      report.violation(sm, `it logs at level ${level === undefined ? "OFF (not configured)" : String(level)}, so the steps of a failed execution are not in its logs`, fix);
    } else if (at(sm.props, "loggingConfiguration", "logDestination") === undefined) {
      report.violation(sm, "it logs at level ALL but names no `logDestination`", fix);
    }
  },
});

const apigwAccessLogging = definePolicy({
  name: "apigw-access-logging",
  description: "API Gateway stages (REST and HTTP) write access logs to a log group, with a format.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.REST_STAGE, t.HTTP_STAGE],
  validateResource: (stage, report) => {
    const destination = at(stage.props, "accessLogSettings", "destinationArn");
    const format = at(stage.props, "accessLogSettings", "format");
    const fix = "set `accessLogSettings: { destinationArn, format }` with a log group that has a retention";
    if (destination === undefined) report.violation(stage, "it writes no access logs (`accessLogSettings.destinationArn`)", fix);
    else if (format === undefined) report.violation(stage, "its access logs have no `format`", fix);
  },
});

const logGroupRetentionSet = definePolicy({
  name: "log-group-retention-set",
  description: "CloudWatch log groups have a retention (retentionInDays), so logs do not pile up and cost forever.",
  enforcementLevel: "mandatory",
  resourceTypes: [t.LOG_GROUP],
  validateResource: (group, report) => {
    const days = at(group.props, "retentionInDays");
    if (isUnknown(days)) return report.unknown(group, "`retentionInDays`");
    if (days === undefined || days === 0) {
      report.violation(group, "its logs never expire (no `retentionInDays`)", "pass the component's `logRetentionInDays` (default 30), or set `retentionInDays`");
    }
  },
});

/** Logging policies. */
export const loggingPolicies: OrderflowPolicy[] = [sfnLoggingAll, apigwAccessLogging, logGroupRetentionSet];
