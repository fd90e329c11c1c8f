/** A request the endpoint received, in the terms of its wire protocol. */
export type EndpointOperation =
  | { readonly protocol: "json"; readonly targetPrefix: string; readonly operation: string; readonly input: Readonly<Record<string, unknown>> }
  | { readonly protocol: "query"; readonly params: Readonly<Record<string, string>> }
  | { readonly protocol: "rest"; readonly method: string; readonly path: string; readonly body: unknown };

/**
 * How the endpoint tells a service's requests apart, one entry per wire protocol: the JSON protocol's `X-Amz-Target`
 * prefixes, the query protocol's API `Version`, a REST API's path prefix.
 */
export type ApiIdentity =
  | { readonly protocol: "json"; readonly targetPrefixes: readonly string[] }
  | { readonly protocol: "query"; readonly version: string }
  | { readonly protocol: "rest"; readonly pathPrefix: string };

/** Whether a request is one of the API's. */
export function isOperationOf(api: ApiIdentity, operation: EndpointOperation): boolean {
  if (api.protocol === "json") return operation.protocol === "json" && api.targetPrefixes.includes(operation.targetPrefix);
  if (api.protocol === "query") return operation.protocol === "query" && operation.params.Version === api.version;
  return operation.protocol === "rest" && operation.path.startsWith(api.pathPrefix);
}

/** A request's name for messages: `AmazonSQS.SendMessage`, `SNS Publish`, `POST /v2/email/outbound-emails`. */
export function operationName(operation: EndpointOperation): string {
  if (operation.protocol === "json") return `${operation.targetPrefix}.${operation.operation}`;
  if (operation.protocol === "query") return `SNS ${operation.params.Action}`;
  return `${operation.method} ${operation.path}`;
}
