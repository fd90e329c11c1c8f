import { AwsError } from "../../kernel/aws-error";
import { GraphError } from "../../graph/errors";
import { serviceModule } from "../../service-module";
import { sqs, withLocalQueueUrls } from "../sqs";
import { xray } from "../xray";
import { LambdaApi } from "./api";
import { lambdaAuthErrors } from "./errors";
import { lambdaPermissions } from "./permissions";
import { functionLog } from "./function-log";
import { lambdaVariables } from "./runtime-variables";
import { LambdaService } from "./service";
import { SqsEventSource } from "./sqs-event-source";

/**
 * Lambda: the graph's functions, each in its own environments; asynchronous invocations (rule targets, subscriptions,
 * destinations) arrive as deliveries, and the SQS event source mappings poll their queues once started. Its REST API
 * (`/2015-03-31/...`) lists, describes and invokes the functions for an operator.
 */
export const lambda = serviceModule<LambdaService>({
  name: "lambda",
  icon: "λ",
  api: { protocol: "rest", pathPrefix: "/2015-03-31/", serve: (service, cloud) => new LambdaApi(service, cloud.graph.eventSourceMappings, cloud.graph.cloud, new Date()) },
  iam: { prefix: "lambda", permissions: lambdaPermissions, deliveryAction: "lambda:InvokeFunction", errors: lambdaAuthErrors },
  receives: (service) => (arn, payload, o) => void service.invokeAsync(arn, JSON.parse(payload), { traceId: o.traceId, source: o.source }),
  build: (cloud) => {
    const { graph, iam, delivery } = cloud;
    const queues = cloud.service(sqs);
    const daemon = cloud.service(xray);
    const service = new LambdaService(graph.functions, {
      clock: cloud.clock,
      activity: cloud.activity,
      faults: cloud.faults,
      localConcurrency: cloud.localConcurrency,
      variablesOf: (spec) => lambdaVariables(spec, withLocalQueueUrls(queues, spec.environment), cloud.credentials.forRole(spec.roleArn), graph.cloud.region, cloud.endpointUrl, daemon.port),
      xray: daemon,
      logOf: (spec) => functionLog(cloud.logs.writer(spec.component), spec),
      destinations: async (arn, record, traceId) => {
        // Lambda sends an invocation record to a destination with the function's execution role.
        // The record itself, or (for a bus) the event whose detail it is.
        const parsed = JSON.parse(record) as { requestContext?: { functionArn?: string }; detail?: { requestContext?: { functionArn?: string } } };
        const functionArn = String((parsed.requestContext ?? parsed.detail?.requestContext)?.functionArn ?? "");
        const principal = graph.functions.find((f) => functionArn === f.arn || functionArn.startsWith(`${f.arn}:`))?.roleArn ?? "lambda.amazonaws.com";
        const failure = await delivery.deliver(arn, record, { traceId, source: "lambda destination", principal });
        if (failure) throw new AwsError(failure.code, failure.message);
      },
      ...(iam
        ? { authorizeInvoke: (arn, caller, o) => iam.assertAllowed({ principal: caller.principal, action: "lambda:InvokeFunction", resource: arn, ...(caller.sourceArn ? { sourceArn: caller.sourceArn } : {}), ...(o.source ? { via: o.source } : {}), ...(o.traceId ? { traceId: o.traceId } : {}) }) }
        : {}),
    });
    // The functions' first environments start now, beside the services built after this one and the seeding of the
    // tables (their Node processes take some 1.2 s on two cores); start() waits for them. Their code only builds its
    // clients at load: nothing it calls needs a service that is not up yet.
    if (cloud.warm) service.warmAll().catch(() => undefined);
    return service;
  },
  start: async (service, cloud) => {
    if (cloud.warm) await service.warmAll();
    const queues = cloud.service(sqs);
    const sources = cloud.graph.eventSourceMappings.map((esm) => {
      if (esm.sourceKind !== "sqs") throw new GraphError(`Event source mapping ${esm.component} reads a ${esm.sourceKind} stream: the local cloud serves stream sources through pipes only.`);
      return new SqsEventSource(esm, queues.queue(esm.sourceArn), service.function(esm.functionArn), cloud.clock, cloud.activity, cloud.graph.cloud.region);
    });
    // A poller whose role may not read its source does not run, as AWS refuses to create (or start) it.
    for (const source of sources) if (!cloud.refusedPollers.has(source.spec.component)) source.start();
    return () => Promise.all(sources.map((s) => s.stop()));
  },
  stop: (service) => service.stop(),
});
