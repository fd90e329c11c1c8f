import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { strict as assert } from "node:assert";
import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { Activity } from "../../../localcloud/kernel/activity";
import { Clock } from "../../../localcloud/kernel/clock";
import { CredentialIssuer } from "../../../localcloud/kernel/credentials";
import { AwsEndpoint } from "../../../localcloud/endpoint/endpoint";
import type { LocalGraph } from "../../../localcloud/graph/graph";
import { LocalIam } from "../../../localcloud/iam/authorizer";
import { decide } from "../../../localcloud/iam/decide";
import { GraphPolicies } from "../../../localcloud/iam/policies-from-graph";
import { OPERATIONS } from "../../../localcloud/registry";
import { SqsService } from "../../../localcloud/services/sqs/service";
import { REPO_ROOT } from "../../../ops/repo-root";
import { SignatureV4 } from "@smithy/signature-v4";
import { NodeSha256 } from "../../../localcloud/iam/sigv4";
import { queueSpec } from "../../helpers/local-specs";

const ACCOUNT = "123456789012";
const arn = (service: string, rest: string) => `arn:aws:${service}:us-east-1:${ACCOUNT}:${rest}`;
const ORDERS = arn("sqs", "orders");
const LABELS = arn("sqs", "labels");
const RULE = arn("events", "rule/bus/orderConfirmedToShipping");
const SENDER_ROLE = `arn:aws:iam::${ACCOUNT}:role/sendRole-1`;
const FUNCTION = arn("lambda", "function:sendFunction-1");
const TABLE = arn("dynamodb", "table/orders-1");

function resource(type: string, name: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = {}, parent?: string): RecordedResource {
  return { urn: `urn:pulumi:dev::orderflow::${type}::${name}`, type, name, custom: true, dependencies: [], propertyDependencies: {}, inputs, outputs: { ...inputs, ...outputs }, ...(parent ? { parent } : {}) };
}

const policy = (statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const DENY_INSECURE = (queue: string) => ({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "sqs:*", Resource: queue, Condition: { Bool: { "aws:SecureTransport": "false" } } });

/** A small graph: one function whose role may send to `orders` and write the table, two queues, one API permission. */
function smallGraph(): LocalGraph {
  const resources = [
    resource("aws:iam/role:Role", "sendRole", {}, { arn: SENDER_ROLE, name: "sendRole-1" }),
    resource("aws:iam/rolePolicy:RolePolicy", "send-send-orders", { role: "sendRole-1", policy: policy([{ Effect: "Allow", Action: ["sqs:SendMessage", "sqs:GetQueueAttributes"], Resource: [ORDERS] }]) }),
    resource("aws:iam/rolePolicy:RolePolicy", "send-readwrite-orderTable", { role: "sendRole-1", policy: policy([{ Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"], Resource: [TABLE, `${TABLE}/index/*`] }]) }),
    resource("aws:lambda/permission:Permission", "apiPermission", { action: "lambda:InvokeFunction", function: "sendFunction-1", principal: "apigateway.amazonaws.com", sourceArn: arn("execute-api", "api1/*/POST/orders") }),
  ];
  const queues = [
    queueSpec("orders", { policy: JSON.parse(policy([DENY_INSECURE(ORDERS), { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: ORDERS, Condition: { ArnEquals: { "aws:SourceArn": RULE } } }])) as unknown }),
    queueSpec("labels", { component: "labels", policy: JSON.parse(policy([DENY_INSECURE(LABELS), { Effect: "Deny", Principal: { AWS: SENDER_ROLE }, Action: "sqs:PurgeQueue", Resource: LABELS }])) as unknown }),
  ];
  return {
    env: "dev",
    cloud: { partition: "aws", account: ACCOUNT, region: "us-east-1" },
    functions: [{ component: "send", stack: "dev.test", urn: "urn:send", name: "sendFunction-1", arn: FUNCTION, roleArn: SENDER_ROLE } as LocalGraph["functions"][number]],
    queues,
    tables: [{ stack: "dev.test", component: "orderTable", urn: "urn:t", name: "orders-1", arn: TABLE } as LocalGraph["tables"][number]],
    eventSourceMappings: [],
    buses: [],
    rules: [],
    topics: [],
    subscriptions: [],
    pipes: [],
    stateMachines: [],
    restApis: [],
    containerServices: [],
    alarms: [],
    resources: [{ stack: "dev.test", resources }],
  };
}

describe("local cloud IAM: decisions from the graph", () => {
  const graph = smallGraph();
  const policies = new GraphPolicies(graph);

  it("allows what a role's inline policy grants, over HTTP as over TLS, and names the missing identity grant otherwise", async () => {
    const allowed = await decide(policies, { principal: SENDER_ROLE, sessionName: "sendFunction-1", action: "sqs:SendMessage", resource: ORDERS }, ACCOUNT);
    assert.equal(allowed.allowed, true);
    const denied = await decide(policies, { principal: SENDER_ROLE, sessionName: "sendFunction-1", action: "sqs:SendMessage", resource: LABELS }, ACCOUNT);
    assert.equal(denied.allowed, false);
    assert.equal(
      denied.message,
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/sendRole-1/sendFunction-1 is not authorized to perform: sqs:SendMessage on resource: ${LABELS} because no identity-based policy allows the sqs:SendMessage action`,
    );
  });

  it("names an explicit deny in the resource's policy", async () => {
    const denied = await decide(policies, { principal: SENDER_ROLE, action: "sqs:PurgeQueue", resource: LABELS }, ACCOUNT);
    assert.equal(denied.result, "ExplicitlyDenied");
    assert.match(denied.message!, /with an explicit deny in a resource-based policy$/);
  });

  it("admits a service principal only for the source ARN the resource policy names", async () => {
    assert.equal((await decide(policies, { principal: "events.amazonaws.com", action: "sqs:SendMessage", resource: ORDERS, sourceArn: RULE }, ACCOUNT)).allowed, true);
    const other = await decide(policies, { principal: "events.amazonaws.com", action: "sqs:SendMessage", resource: ORDERS, sourceArn: `${RULE}X` }, ACCOUNT);
    assert.equal(other.allowed, false);
    assert.match(other.message!, /^User: events\.amazonaws\.com is not authorized .* because no resource-based policy allows the sqs:SendMessage action$/);
  });

  it("builds a function's policy from its Lambda permissions (API Gateway, for the method's ARN)", async () => {
    const invoke = (sourceArn: string) => decide(policies, { principal: "apigateway.amazonaws.com", action: "lambda:InvokeFunction", resource: FUNCTION, sourceArn }, ACCOUNT);
    assert.equal((await invoke(arn("execute-api", "api1/live/POST/orders"))).allowed, true);
    assert.equal((await invoke(arn("execute-api", "api1/live/DELETE/orders"))).allowed, false);
  });

  it("maps requests to actions and resources: queue URLs to queues, indexes, per-item transaction actions", () => {
    assert.deepEqual(OPERATIONS.requiredPermissions({ protocol: "json", targetPrefix: "AmazonSQS", operation: "SendMessageBatch", input: { QueueUrl: `http://127.0.0.1:1/${ACCOUNT}/orders` } }, graph), [{ action: "sqs:SendMessage", resource: ORDERS }]);
    // The queue SQS acts on is the URL's, whatever else the request carries; QueueName names the queue only where SQS reads it.
    assert.deepEqual(OPERATIONS.requiredPermissions({ protocol: "json", targetPrefix: "AmazonSQS", operation: "SendMessage", input: { QueueUrl: `http://127.0.0.1:1/${ACCOUNT}/labels`, QueueName: "orders" } }, graph), [{ action: "sqs:SendMessage", resource: LABELS }]);
    assert.deepEqual(OPERATIONS.requiredPermissions({ protocol: "json", targetPrefix: "AmazonSQS", operation: "GetQueueUrl", input: { QueueName: "orders" } }, graph), [{ action: "sqs:GetQueueUrl", resource: ORDERS }]);
    assert.deepEqual(OPERATIONS.requiredPermissions({ protocol: "json", targetPrefix: "DynamoDB_20120810", operation: "Query", input: { TableName: "orders-1", IndexName: "byCustomer" } }, graph), [{ action: "dynamodb:Query", resource: `${TABLE}/index/byCustomer` }]);
    assert.deepEqual(
      OPERATIONS.requiredPermissions({ protocol: "json", targetPrefix: "DynamoDB_20120810", operation: "TransactWriteItems", input: { TransactItems: [{ Put: { TableName: "orders-1" } }, { ConditionCheck: { TableName: "orders-1" } }, { Update: { TableName: "orders-1" } }] } }, graph),
      [
        { action: "dynamodb:PutItem", resource: TABLE },
        { action: "dynamodb:ConditionCheckItem", resource: TABLE },
        { action: "dynamodb:UpdateItem", resource: TABLE },
      ],
    );
    assert.equal(OPERATIONS.requiredPermissions({ protocol: "json", targetPrefix: "SomethingElse", operation: "Do", input: {} }, graph), undefined);
  });
});

describe("local cloud IAM: the endpoint refuses as SQS refuses", () => {
  let endpoint: AwsEndpoint;
  let sqs: SqsService;
  let activity: Activity;
  let credentials: CredentialIssuer;
  let base: string;

  before(async () => {
    const graph = smallGraph();
    credentials = new CredentialIssuer();
    activity = new Activity();
    const iam = new LocalIam(graph, OPERATIONS, credentials, activity, REPO_ROOT);
    endpoint = new AwsEndpoint((key) => credentials.byAccessKey(key)?.roleArn ?? "anonymous");
    endpoint.guardWith((request, operation) => iam.authorizeRequest(request, operation));
    base = await endpoint.listen();
    sqs = new SqsService(graph.queues, base, new Clock(0.01));
    endpoint.serveJson("AmazonSQS", { contentType: "application/x-amz-json-1.0", call: (action, input, ctx) => sqs.call(action, input, { principalId: ctx.principal, signal: ctx.signal }) });
  });
  after(async () => {
    sqs.close();
    await endpoint.close();
  });

  const send = (credentialsOf: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, queue: string) =>
    new SQSClient({ region: "us-east-1", endpoint: base, credentials: credentialsOf }).send(new SendMessageCommand({ QueueUrl: sqs.localUrlFor(`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/${queue}`), MessageBody: "hello" }));
  const rejectsWith = (name: string, message: RegExp) => (e: unknown) => {
    assert.equal((e as Error).name, name);
    assert.match((e as Error).message, message);
    assert.equal((e as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 403);
    return true;
  };

  it("serves the role's session where it is allowed, and answers AccessDenied naming principal, action and resource where not", async () => {
    const session = credentials.forRole(SENDER_ROLE);
    assert.ok((await send(session, "orders")).MessageId);
    await assert.rejects(send(session, "labels"), rejectsWith("AccessDenied", /sendRole-1\/sendFunction-1 is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:labels because no identity-based policy/));
    const record = activity.records.find((r) => r.service === "iam");
    assert.ok(record?.detail.endsWith("labels.grantSend(send) would allow it"), record?.detail);
  });

  /** A SendMessage signed with the session, its JSON body written by hand: what no SDK would send. */
  async function handMade(session: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, input: Record<string, unknown>) {
    const url = new URL(base);
    const body = JSON.stringify(input);
    const request = await new SignatureV4({ credentials: session, region: "us-east-1", service: "sqs", sha256: NodeSha256 }).sign({
      method: "POST",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: "/",
      query: {},
      headers: { host: url.host, "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
      body,
    });
    const answer = await fetch(base, { method: "POST", headers: request.headers, body });
    return { status: answer.status, body: (await answer.json()) as { __type: string; message: string } };
  }

  it("authorizes the queue SQS acts on (QueueUrl), and refuses a request with a member its operation does not take", async () => {
    const session = credentials.forRole(SENDER_ROLE);
    const labels = sqs.localUrlFor(`https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/labels`);
    // Allowed on orders only: naming orders in a stray QueueName once sent to labels.
    const stray = await handMade(session, { QueueUrl: labels, MessageBody: "forged", QueueName: "orders" });
    assert.equal(stray.status, 400);
    assert.equal(stray.body.__type, "InvalidParameterValue");
    assert.match(stray.body.message, /^Unknown parameter in input: "QueueName", must be one of: QueueUrl, MessageBody, /);
    const plain = await handMade(session, { QueueUrl: labels, MessageBody: "forged" });
    assert.equal(plain.status, 403);
    assert.equal(plain.body.__type, "AccessDenied");
    assert.match(plain.body.message, /not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:us-east-1:123456789012:labels/);
    assert.deepEqual(sqs.queue(LABELS).peek(), [], "nothing reached labels");
  });

  it("refuses a key it never issued, and a signature made with another secret", async () => {
    await assert.rejects(send({ accessKeyId: "AKIDNOTISSUED", secretAccessKey: "x" }, "orders"), rejectsWith("InvalidClientTokenId", /security token included in the request is invalid/));
    const session = credentials.forRole(SENDER_ROLE);
    await assert.rejects(send({ ...session, secretAccessKey: "guessed" }, "orders"), rejectsWith("SignatureDoesNotMatch", /signature we calculated does not match/));
  });
});
