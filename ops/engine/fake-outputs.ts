import { createHash } from "node:crypto";

/** Where the fake resources live: the values a real deployment would take from the provider's account and region. */
export interface CloudIdentity {
  readonly account: string;
  readonly region: string;
  readonly partition?: string;
}

/** What the offline engine answers for one resource: its id and the properties AWS would compute. */
export interface FakeResource {
  readonly id: string;
  readonly computed: Record<string, unknown>;
}

type Inputs = Record<string, unknown>;

// Pulumi's auto-naming appends seven hex characters to the logical name. A hash of the URN-ish key keeps them stable,
// so two runs of the same program give the same names (and the same diffs).
function autoName(logicalName: string, type: string, maxLength = 80): string {
  const suffix = createHash("sha256").update(`${type}::${logicalName}`).digest("hex").slice(0, 7);
  return `${logicalName.slice(0, maxLength - 8)}-${suffix}`;
}

function stableUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Stable letters and digits (mixed case or lowercase) drawn from a seed's hash.
function alphanumeric(seed: string, length: number, mixedCase: boolean): string {
  const alphabet = mixedCase ? "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" : "0123456789abcdefghijklmnopqrstuvwxyz";
  let out = "";
  for (let round = 0; out.length < length; round++) {
    for (const byte of createHash("sha256").update(`${seed}#${round}`).digest()) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** The physical name a resource gets: the explicit `name` input, else a Pulumi-style auto-name. */
function physicalName(type: string, logicalName: string, inputs: Inputs, fifoSuffix = false): string {
  const explicit = str(inputs.name) ?? (str(inputs.namePrefix) ? `${inputs.namePrefix}${autoName("", type).slice(1)}` : undefined);
  if (explicit) return explicit;
  const base = autoName(logicalName, type);
  return fifoSuffix ? `${base}.fifo` : base;
}

/** The last path segment of an ARN-like string (`arn:...:rule/bus/name` gives `name`). */
function lastSegment(arn: unknown): string {
  const s = String(arn ?? "");
  return s.split(/[:/]/).pop() ?? s;
}

/**
 * The properties AWS computes for a resource of the given type, shaped as the provider returns them: ARNs with the
 * account and region, queue URLs, physical names, stream ARNs and so on. Types without a specific rule get a name,
 * and an ARN built from the type's service and resource.
 */
export function fakeResource(type: string, logicalName: string, inputs: Inputs, cloud: CloudIdentity): FakeResource {
  const p = cloud.partition ?? "aws";
  const { account: a, region: r } = cloud;
  const arnOf = (service: string, resource: string, region = r, account = a) =>
    `arn:${p}:${service}:${region}:${account}:${resource}`;

  switch (type) {
    case "aws:sqs/queue:Queue": {
      const name = physicalName(type, logicalName, inputs, inputs.fifoQueue === true);
      const url = `https://sqs.${r}.amazonaws.com/${a}/${name}`;
      return { id: url, computed: { name, arn: arnOf("sqs", name), url } };
    }
    case "aws:sns/topic:Topic": {
      const name = physicalName(type, logicalName, inputs, inputs.fifoTopic === true);
      const arn = arnOf("sns", name);
      return { id: arn, computed: { name, arn, owner: a } };
    }
    case "aws:sns/topicSubscription:TopicSubscription": {
      // v7 names the topic input `topic` (an ARN); older programs passed `topicArn`.
      const arn = `${String(inputs.topic ?? inputs.topicArn)}:${stableUuid(logicalName)}`;
      return { id: arn, computed: { arn, ownerId: a, pendingConfirmation: false } };
    }
    case "aws:cloudwatch/eventBus:EventBus": {
      const name = physicalName(type, logicalName, inputs);
      const arn = arnOf("events", `event-bus/${name}`);
      return { id: name, computed: { name, arn } };
    }
    case "aws:cloudwatch/eventArchive:EventArchive": {
      const name = physicalName(type, logicalName, inputs);
      return { id: name, computed: { name, arn: arnOf("events", `archive/${name}`) } };
    }
    case "aws:cloudwatch/eventRule:EventRule": {
      const name = physicalName(type, logicalName, inputs);
      const bus = str(inputs.eventBusName) ? lastSegment(inputs.eventBusName) : "default";
      const resource = bus === "default" ? `rule/${name}` : `rule/${bus}/${name}`;
      return { id: `${bus}/${name}`, computed: { name, arn: arnOf("events", resource) } };
    }
    case "aws:cloudwatch/eventTarget:EventTarget": {
      const targetId = str(inputs.targetId) ?? autoName(logicalName, type);
      return { id: `${lastSegment(inputs.rule)}-${targetId}`, computed: { targetId } };
    }
    case "aws:cloudwatch/logGroup:LogGroup": {
      const name = physicalName(type, logicalName, inputs);
      return { id: name, computed: { name, arn: arnOf("logs", `log-group:${name}`) } };
    }
    case "aws:cloudwatch/metricAlarm:MetricAlarm": {
      const name = str(inputs.name) ?? autoName(logicalName, type);
      return { id: name, computed: { name, arn: arnOf("cloudwatch", `alarm:${name}`) } };
    }
    case "aws:lambda/function:Function": {
      const name = physicalName(type, logicalName, inputs, false);
      const arn = arnOf("lambda", `function:${name}`);
      return {
        id: name,
        computed: {
          name,
          arn,
          qualifiedArn: `${arn}:$LATEST`,
          invokeArn: `arn:${p}:apigateway:${r}:lambda:path/2015-03-31/functions/${arn}/invocations`,
          version: "$LATEST",
          lastModified: "2026-01-01T00:00:00.000+0000",
        },
      };
    }
    case "aws:lambda/eventSourceMapping:EventSourceMapping": {
      const uuid = stableUuid(logicalName);
      return { id: uuid, computed: { uuid, arn: arnOf("lambda", `event-source-mapping:${uuid}`), state: "Enabled" } };
    }
    case "aws:iam/role:Role": {
      const name = physicalName(type, logicalName, inputs);
      return {
        id: name,
        computed: { name, arn: `arn:${p}:iam::${a}:role/${name}`, uniqueId: `AROA${stableUuid(name).replace(/-/g, "").slice(0, 17).toUpperCase()}` },
      };
    }
    case "aws:iam/policy:Policy": {
      const name = physicalName(type, logicalName, inputs);
      const arn = `arn:${p}:iam::${a}:policy/${name}`;
      return { id: arn, computed: { name, arn, policyId: stableUuid(name) } };
    }
    case "aws:iam/rolePolicy:RolePolicy": {
      const name = physicalName(type, logicalName, inputs);
      return { id: `${String(inputs.role)}:${name}`, computed: { name } };
    }
    case "aws:dynamodb/table:Table": {
      const name = physicalName(type, logicalName, inputs);
      const arn = arnOf("dynamodb", `table/${name}`);
      const streaming = inputs.streamEnabled === true;
      const label = "2026-01-01T00:00:00.000";
      return {
        id: name,
        computed: { name, arn, ...(streaming ? { streamArn: `${arn}/stream/${label}`, streamLabel: label } : {}) },
      };
    }
    case "aws:sfn/stateMachine:StateMachine": {
      const name = physicalName(type, logicalName, inputs);
      const arn = arnOf("states", `stateMachine:${name}`);
      return { id: arn, computed: { name, arn, status: "ACTIVE", revisionId: "1" } };
    }
    case "aws:pipes/pipe:Pipe": {
      const name = physicalName(type, logicalName, inputs);
      return { id: name, computed: { name, arn: arnOf("pipes", `pipe/${name}`) } };
    }
    case "aws:kms/key:Key": {
      const keyId = stableUuid(logicalName);
      return { id: keyId, computed: { keyId, arn: arnOf("kms", `key/${keyId}`) } };
    }
    case "aws:apigateway/restApi:RestApi": {
      const id = stableUuid(logicalName).replace(/-/g, "").slice(0, 10);
      return {
        id,
        computed: {
          rootResourceId: id.slice(0, 6),
          executionArn: arnOf("execute-api", id),
          arn: `arn:${p}:apigateway:${r}::/restapis/${id}`,
          createdDate: "2026-01-01T00:00:00Z",
        },
      };
    }
    case "aws:apigateway/stage:Stage": {
      const api = String(inputs.restApi ?? "");
      const stage = String(inputs.stageName ?? logicalName);
      return {
        id: `ags-${api}-${stage}`,
        computed: {
          invokeUrl: `https://${api}.execute-api.${r}.amazonaws.com/${stage}`,
          executionArn: arnOf("execute-api", `${api}/${stage}`),
          arn: `arn:${p}:apigateway:${r}::/restapis/${api}/stages/${stage}`,
        },
      };
    }
    case "aws:apigateway/resource:Resource": {
      const id = stableUuid(logicalName).slice(0, 6);
      return { id, computed: { path: `/${String(inputs.pathPart ?? "")}` } };
    }
    case "aws:ecr/repository:Repository": {
      const name = physicalName(type, logicalName, inputs).toLowerCase();
      return {
        id: name,
        computed: { name, arn: arnOf("ecr", `repository/${name}`), repositoryUrl: `${a}.dkr.ecr.${r}.amazonaws.com/${name}`, registryId: a },
      };
    }
    case "aws:ecs/cluster:Cluster": {
      const name = physicalName(type, logicalName, inputs);
      const arn = arnOf("ecs", `cluster/${name}`);
      return { id: arn, computed: { name, arn } };
    }
    case "aws:sesv2/emailIdentity:EmailIdentity": {
      // SES ARNs use the `ses` service and name the identity itself; a domain gets three Easy DKIM tokens.
      const identity = String(inputs.emailIdentity);
      const domain = !identity.includes("@");
      const tokens = [1, 2, 3].map((i) => createHash("sha256").update(`${identity}:${i}`).digest("hex").slice(0, 32));
      return {
        id: identity,
        computed: {
          arn: arnOf("ses", `identity/${identity}`),
          identityType: domain ? "DOMAIN" : "EMAIL_ADDRESS",
          verifiedForSendingStatus: false,
          dkimSigningAttributes: domain ? { tokens, status: "PENDING", signingAttributesOrigin: "AWS_SES", nextSigningKeyLength: "RSA_2048_BIT" } : {},
        },
      };
    }
    case "aws:sesv2/configurationSet:ConfigurationSet": {
      const name = String(inputs.configurationSetName);
      return { id: name, computed: { arn: arnOf("ses", `configuration-set/${name}`) } };
    }
    case "aws:pinpoint/smsvoicev2PhoneNumber:Smsvoicev2PhoneNumber": {
      const id = `phone-${stableUuid(logicalName).replace(/-/g, "")}`;
      return { id, computed: { arn: arnOf("sms-voice", `phone-number/${id}`), phoneNumber: "+12065550100", monthlyLeasingPrice: "0.00" } };
    }
    // Cognito ids have shapes that tools check (aws-jwt-verify parses the region out of a pool id): a pool id is
    // `<region>_<9 alphanumerics>`, a client id 26 lowercase alphanumerics.
    case "aws:cognito/userPool:UserPool": {
      const id = `${r}_${alphanumeric(`pool:${logicalName}`, 9, true)}`;
      return {
        id,
        computed: {
          name: physicalName(type, logicalName, inputs),
          arn: arnOf("cognito-idp", `userpool/${id}`),
          endpoint: `cognito-idp.${r}.amazonaws.com/${id}`,
          creationDate: "2026-01-01T00:00:00Z",
        },
      };
    }
    case "aws:cognito/userPoolClient:UserPoolClient": {
      const id = alphanumeric(`client:${logicalName}`, 26, false);
      return { id, computed: inputs.generateSecret === true ? { clientSecret: alphanumeric(`secret:${logicalName}`, 51, false) } : {} };
    }
    case "aws:cognito/resourceServer:ResourceServer": {
      const scopes = Array.isArray(inputs.scopes) ? (inputs.scopes as { scopeName?: unknown }[]) : [];
      return {
        id: `${String(inputs.userPoolId)}|${String(inputs.identifier)}`,
        computed: { scopeIdentifiers: scopes.map((s) => `${String(inputs.identifier)}/${String(s.scopeName)}`) },
      };
    }
    case "aws:cognito/userPoolDomain:UserPoolDomain": {
      return { id: String(inputs.domain), computed: { awsAccountId: a, cloudfrontDistribution: `d${alphanumeric(`cf:${logicalName}`, 13, false)}.cloudfront.net`, version: "1" } };
    }
    default:
      return genericResource(type, logicalName, inputs, cloud);
  }
}

// A resource type without a rule of its own still gets the shape every AWS resource has: a name and an ARN made of its
// service (the module of the type token) and its kind.
function genericResource(type: string, logicalName: string, inputs: Inputs, cloud: CloudIdentity): FakeResource {
  const [pkg, mod = "", kind = ""] = type.split(":");
  if (pkg !== "aws") {
    return { id: autoName(logicalName, type), computed: {} };
  }
  const service = mod.split("/")[0].toLowerCase();
  const name = physicalName(type, logicalName, inputs);
  const resource = kind.charAt(0).toLowerCase() + kind.slice(1);
  const arn = `arn:${cloud.partition ?? "aws"}:${service}:${cloud.region}:${cloud.account}:${resource}/${name}`;
  return { id: name, computed: { arn } };
}

/** Results for the provider functions the program calls; an unknown function fails with its token. */
export function fakeInvoke(token: string, inputs: Inputs, cloud: CloudIdentity): Record<string, unknown> {
  const p = cloud.partition ?? "aws";
  switch (token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: cloud.account, arn: `arn:${p}:iam::${cloud.account}:user/orderflow`, userId: "AIDAORDERFLOW", id: cloud.account };
    case "aws:index/getRegion:getRegion":
      return { name: cloud.region, region: cloud.region, id: cloud.region, endpoint: `ec2.${cloud.region}.amazonaws.com`, description: cloud.region };
    case "aws:index/getPartition:getPartition":
      return { partition: p, dnsSuffix: "amazonaws.com", id: p, reverseDnsPrefix: "com.amazonaws" };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return { names: ["a", "b", "c"].map((z) => `${cloud.region}${z}`), zoneIds: ["az1", "az2", "az3"], id: cloud.region };
    default:
      throw new Error(
        `The offline engine has no result for the provider function "${token}" (called with ${JSON.stringify(inputs)}). ` +
          `Add it to fakeInvoke in ops/engine/fake-outputs.ts.`,
      );
  }
}
