import type { EndpointOperation } from "../../endpoint/operation";
import type { LocalGraph } from "../../graph/graph";
import type { RequiredPermission } from "../../iam/service-iam";

/**
 * End User Messaging SMS: SendTextMessage is authorized on the origination identity, a phone number, pool or sender ID
 * (by id or ARN); other operations are not mapped.
 */
export function smsPermissions(operation: EndpointOperation, graph: Pick<LocalGraph, "cloud">): RequiredPermission[] | undefined {
  if (operation.protocol !== "json") return undefined;
  const { partition, region, account } = graph.cloud;
  const origin = typeof operation.input.OriginationIdentity === "string" && operation.input.OriginationIdentity.length > 0 ? operation.input.OriginationIdentity : undefined;
  if (operation.operation !== "SendTextMessage" || !origin) return undefined;
  const kind = origin.startsWith("pool-") ? "pool" : origin.startsWith("senderid-") ? "sender-id" : "phone-number";
  return [{ action: "sms-voice:SendTextMessage", resource: origin.startsWith("arn:") ? origin : `arn:${partition}:sms-voice:${region}:${account}:${kind}/${origin}` }];
}
