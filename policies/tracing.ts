import { definePolicy, type OrderflowPolicy } from "./lib/define";
import { at, isUnknown } from "./lib/values";

// Tracing pillar: one X-Ray trace follows an order through the bus, the queues, the functions and the saga.

const lambdaTracingActive = definePolicy({
  name: "lambda-tracing-active",
  description: "Lambda functions send traces to X-Ray (tracingConfig.mode Active), so an order can be followed end to end.",
  enforcementLevel: "mandatory",
  resourceTypes: ["aws:lambda/function:Function"],
  validateResource: (fn, report) => {
    const mode = at(fn.props, "tracingConfig", "mode");
    if (isUnknown(mode)) return report.unknown(fn, "tracingConfig.mode");
    if (mode !== "Active") {
      report.violation(
        fn,
        `tracing is ${mode === undefined ? "not configured" : `"${String(mode)}"`}, so its segments are missing from the order's trace`,
        "use the Function component (tracing is Active by default), or set `tracingConfig: { mode: \"Active\" }`",
      );
    }
  },
});

const sfnTracingEnabled = definePolicy({
  name: "sfn-tracing-enabled",
  description: "Step Functions state machines have X-Ray tracing enabled, so the saga's steps appear in the order's trace.",
  enforcementLevel: "mandatory",
  resourceTypes: ["aws:sfn/stateMachine:StateMachine"],
  validateResource: (sm, report) => {
    const enabled = at(sm.props, "tracingConfiguration", "enabled");
    if (isUnknown(enabled)) return report.unknown(sm, "tracingConfiguration.enabled");
    if (enabled !== true) {
      report.violation(
        sm,
        "X-Ray tracing is off, so the saga's steps and compensations are missing from the order's trace",
        "use the Saga component (tracing is on by default), or set `tracingConfiguration: { enabled: true }`",
      );
    }
  },
});

const apigwStageTracing = definePolicy({
  name: "apigw-stage-tracing",
  description: "API Gateway REST stages have X-Ray tracing enabled (xrayTracingEnabled), so a request's trace starts at the API.",
  enforcementLevel: "mandatory",
  resourceTypes: ["aws:apigateway/stage:Stage"],
  validateResource: (stage, report) => {
    const enabled = at(stage.props, "xrayTracingEnabled");
    if (isUnknown(enabled)) return report.unknown(stage, "xrayTracingEnabled");
    if (enabled !== true) {
      report.violation(
        stage,
        "X-Ray tracing is off, so traces start after the API and a slow request cannot be followed from its entry point",
        "set `xrayTracingEnabled: true` on the stage",
      );
    }
  },
});

const snsTopicTracing = definePolicy({
  name: "sns-topic-tracing",
  description: "SNS topics pass X-Ray traces on to their subscribers (tracingConfig Active).",
  enforcementLevel: "advisory",
  resourceTypes: ["aws:sns/topic:Topic"],
  validateResource: (topic, report) => {
    const mode = at(topic.props, "tracingConfig");
    if (isUnknown(mode)) return report.unknown(topic, "tracingConfig");
    if (mode !== "Active") {
      report.violation(
        topic,
        `tracing is ${mode === undefined ? "not configured (PassThrough)" : `"${String(mode)}"`}, so the fan-out is a gap in the trace`,
        "use the Topic component (tracing is Active by default), or set `tracingConfig: \"Active\"`",
      );
    }
  },
});

/** The tracing pillar. */
export const tracingPolicies: OrderflowPolicy[] = [lambdaTracingActive, sfnTracingEnabled, apigwStageTracing, snsTopicTracing];
