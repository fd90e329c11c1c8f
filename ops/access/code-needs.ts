import type { RecordedResource } from "../engine/recording-monitor";
import type { LocalGraph } from "../../localcloud/graph/graph";
import type { CodeCall } from "./code-calls";
import type { Need, Unresolved } from "./need";

/**
 * Turns the calls a program can make into needs on the environment's resources: each call's resource comes from
 * environment variables (or constants), and the principal's environment in the graph says which table, queue, bus,
 * identity it names. A variable the environment does not set, or a value naming nothing in the graph, is unresolved.
 */
export function codeNeeds(calls: readonly CodeCall[], environment: Readonly<Record<string, string>>, graph: LocalGraph): { needs: Need[]; unresolved: Unresolved[] } {
  const needs: Need[] = [];
  const unresolved: Unresolved[] = [];
  const arns = new ResourceArns(graph);
  for (const call of calls) {
    const why = `code ${call.at}${call.via ? ` (${call.via})` : ""}`;
    for (const source of call.resource) {
      if (source.kind === "unknown") {
        unresolved.push({ action: call.action, why, problem: `its ${call.member} is \`${source.text}\` (${source.at}), which the analysis cannot follow to an environment variable or constant` });
        continue;
      }
      const value = source.kind === "env" ? environment[source.name] : source.value;
      if (value === undefined) {
        unresolved.push({ action: call.action, why, problem: `its ${call.member} is the environment variable ${(source as { name: string }).name}, which the environment does not set` });
        continue;
      }
      const resource = arns.of(call.operation.service, call.member, value);
      if (!resource) {
        unresolved.push({ action: call.action, why, problem: `its ${call.member} is ${JSON.stringify(value)}${source.kind === "env" ? ` (${source.name})` : ""}, which names no resource of the environment` });
        continue;
      }
      needs.push({ action: call.action, resource, why });
    }
  }
  return { needs, unresolved };
}

/** A request member's value as the ARN IAM authorizes the action on, read from the graph. */
class ResourceArns {
  private readonly resources: readonly RecordedResource[];

  constructor(private readonly graph: LocalGraph) {
    this.resources = graph.resources.flatMap((s) => s.resources);
  }

  of(service: string, member: string, value: string): string | undefined {
    const { partition, region, account } = this.graph.cloud;
    const arn = (resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
    switch (service) {
      case "dynamodb":
        return value.startsWith("arn:") ? value : this.graph.tables.find((t) => t.name === value)?.arn;
      case "sqs":
        return this.graph.queues.find((q) => q.url === value || q.arn === value || q.name === value.split("/").pop())?.arn;
      case "events":
        if (value === "default") return arn("event-bus/default");
        return this.graph.buses.find((b) => b.name === value || b.arn === value)?.arn;
      case "ses": {
        // SendEmail is authorized on the identity that covers the From address (the address, or its domain) and on
        // the configuration set it names. https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html
        if (member === "ConfigurationSetName") return this.sesNames("aws:sesv2/configurationSet:ConfigurationSet", "configurationSetName").includes(value) ? arn(`configuration-set/${value}`) : undefined;
        const address = /<([^>]+)>/.exec(value)?.[1] ?? value;
        const identities = this.sesNames("aws:sesv2/emailIdentity:EmailIdentity", "emailIdentity");
        const identity = [address, address.split("@").pop()!].find((candidate) => identities.includes(candidate));
        return identity ? arn(`identity/${identity}`) : undefined;
      }
      case "sms-voice": {
        if (value.startsWith("arn:")) return value;
        const kind = value.startsWith("pool-") ? "pool" : value.startsWith("senderid-") ? "sender-id" : "phone-number";
        return arn(`${kind}/${value}`);
      }
      default:
        return value.startsWith("arn:") ? value : undefined;
    }
  }

  private sesNames(type: string, input: string): string[] {
    return this.resources.filter((r) => r.type === type).map((r) => String(r.inputs[input] ?? r.outputs[input]));
  }
}
