import { describePolicy, exemption, resource, UNKNOWN } from "../helpers/policy-harness";

const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy";
const BUS_PERMISSION = "aws:cloudwatch/eventPermission:EventPermission";

const QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:orders";
const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:orders";
// The components' TLS-only statement.
const tlsDeny = (action: string, arn: string) => ({ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: action, Resource: arn, Condition: { Bool: { "aws:SecureTransport": "false" } } });
const doc = (...Statement: Record<string, unknown>[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const fromTopic = { Sid: "FromTopic", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN, Condition: { ArnEquals: { "aws:SourceArn": TOPIC_ARN } } };

describe("policies/resource-policies", () => {
  const queue = resource(QUEUE, "orders", {}, { outputs: { arn: QUEUE_ARN, url: "https://sqs.us-east-1.amazonaws.com/123456789012/orders" } });
  const queuePolicy = (policy: unknown) => resource(QUEUE_POLICY, "ordersPolicy", { queueUrl: UNKNOWN, policy }, { propertyDependencies: { queueUrl: [queue] } });

  describePolicy("sqs-queue-policy-secure", [
    { title: "passes the components' policy: TLS deny plus a service admitted for one source ARN", resources: [queue, queuePolicy(doc(tlsDeny("sqs:*", QUEUE_ARN), fromTopic))], expected: {} },
    { title: "accepts the document as an object and a boolean false", resources: [queue, queuePolicy({ Statement: [{ ...tlsDeny("sqs:*", QUEUE_ARN), Condition: { Bool: { "aws:SecureTransport": false } } }] })], expected: {} },
    {
      title: "flags a public statement, a service without a source condition, and a missing TLS deny, each on its own",
      resources: [queue, queuePolicy(doc({ Sid: "Public", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: QUEUE_ARN }, { Sid: "Events", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN }))],
      expected: {
        mandatory: [
          ['ordersPolicy (aws:sqs/queuePolicy:QueuePolicy): statement "Public" makes the queue public', "Fix: use the Queue component"],
          'statement "Events" admits events.amazonaws.com for any source',
          "the queue policy does not deny requests made without TLS",
        ],
      },
    },
    { title: "accepts `*` with a condition naming the caller's organization", resources: [queue, queuePolicy(doc(tlsDeny("sqs:*", QUEUE_ARN), { Effect: "Allow", Principal: { AWS: "*" }, Action: "sqs:SendMessage", Resource: QUEUE_ARN, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } } }))], expected: {} },
    { title: "flags a queue that has no policy at all (nothing denies plain HTTP)", resources: [queue], expected: { mandatory: ["orders (aws:sqs/queue:Queue): it has no queue policy, so nothing denies requests made without TLS"] } },
    { title: "flags malformed JSON", resources: [queue, queuePolicy("{nope")], expected: { mandatory: ["the queue policy is malformed: it is not valid JSON"] } },
    { title: "reports an unknown policy as advisory", resources: [queue, queuePolicy(UNKNOWN)], expected: { advisory: ["ordersPolicy (aws:sqs/queuePolicy:QueuePolicy): the queue policy document cannot be checked until the value is known"] } },
    { title: "honours an exemption", resources: [queue], config: exemption("sqs-queue-policy-secure", "orders"), expected: { advisory: ["exempted from sqs-queue-policy-secure"] } },
  ]);

  const topic = resource(TOPIC, "orders", {}, { outputs: { arn: TOPIC_ARN } });
  describePolicy("sns-topic-policy-secure", [
    { title: "passes a topic whose own policy denies non-TLS publishing", resources: [resource(TOPIC, "orders", { policy: doc(tlsDeny("sns:Publish", TOPIC_ARN)) })], expected: {} },
    { title: "passes a TopicPolicy attached by ARN", resources: [topic, resource(TOPIC_POLICY, "p", { arn: TOPIC_ARN, policy: doc(tlsDeny("sns:Publish", TOPIC_ARN)) })], expected: {} },
    { title: "flags a public topic policy without TLS deny", resources: [topic, resource(TOPIC_POLICY, "p", { arn: TOPIC_ARN, policy: doc({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sns:Subscribe", Resource: TOPIC_ARN }) })], expected: { mandatory: [["p (aws:sns/topicPolicy:TopicPolicy): statement 0 makes the topic public", "Topic component"], "the topic policy does not deny requests made without TLS"] } },
    { title: "flags a topic without any policy", resources: [topic], expected: { mandatory: ["orders (aws:sns/topic:Topic): it has no topic policy"] } },
    { title: "reports an unknown condition as advisory", resources: [resource(TOPIC, "orders", { policy: { Statement: [tlsDeny("sns:Publish", TOPIC_ARN), { Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: TOPIC_ARN, Condition: UNKNOWN }] } })], expected: { advisory: ["the Condition of statement 1 cannot be checked"] } },
    { title: "honours an exemption", resources: [topic], config: exemption("sns-topic-policy-secure", "orders"), expected: { advisory: ["exempted"] } },
  ]);

  describePolicy("eventbridge-bus-policy-secure", [
    { title: "passes a bus policy admitting a named account", resources: [resource(BUS_POLICY, "p", { policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::210987654321:root" }, Action: "events:PutEvents", Resource: "arn:aws:events:us-east-1:123456789012:event-bus/orders" }) })], expected: {} },
    { title: "does not require TLS denies on a bus (EventBridge has no plain-HTTP endpoint)", resources: [resource(BUS_POLICY, "p", { policy: doc({ Effect: "Allow", Principal: "*", Action: "events:PutEvents", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-1" } } }) })], expected: {} },
    { title: "flags a public bus policy and a public permission", resources: [resource(BUS_POLICY, "p", { policy: doc({ Effect: "Allow", Principal: "*", Action: "events:PutEvents", Resource: "*" }) }), resource(BUS_PERMISSION, "perm", { principal: "*", statementId: "all" })], expected: { mandatory: [["p (aws:cloudwatch/eventBusPolicy:EventBusPolicy): statement 0 makes the event bus public", "EventBus's bus policy option"], "perm (aws:cloudwatch/eventPermission:EventPermission): it lets any account put events on the bus"] } },
    { title: "reports an unknown principal as advisory", resources: [resource(BUS_PERMISSION, "perm", { principal: UNKNOWN })], expected: { advisory: ["`principal` cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(BUS_PERMISSION, "perm", { principal: "*" })], config: exemption("eventbridge-bus-policy-secure", "perm"), expected: { advisory: ["exempted"] } },
  ]);
  const KMS_KEY = "aws:kms/key:Key";
  const root = { Sid: "EnableAccountIamPolicies", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" };
  const keyUse = ["kms:Decrypt", "kms:GenerateDataKey*"];
  describePolicy("kms-key-policy-service-scoped", [
    {
      title: "passes the Topic component's key policy: the account, CloudWatch for this account only, EventBridge as AWS documents it",
      resources: [
        resource(KMS_KEY, "notificationsKey", {
          policy: doc(
            root,
            { Sid: "Alarms", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: keyUse, Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } },
            { Sid: "Rules", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: keyUse, Resource: "*" },
          ),
        }),
      ],
      expected: {},
    },
    {
      title: "flags a service principal admitted without aws:SourceAccount or aws:SourceArn",
      resources: [resource(KMS_KEY, "k", { policy: doc(root, { Sid: "Alarms", Effect: "Allow", Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] }, Action: keyUse, Resource: "*" }) })],
      expected: { mandatory: [['k (aws:kms/key:Key): statement "Alarms" lets cloudwatch.amazonaws.com use the key on behalf of any account', "aws:SourceAccount"]] },
    },
    { title: "reports an unknown key policy as advisory", resources: [resource(KMS_KEY, "k", { policy: UNKNOWN })], expected: { advisory: ["the key policy document cannot be checked"] } },
    { title: "honours an exemption", resources: [resource(KMS_KEY, "k", { policy: doc({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*" }) })], config: exemption("kms-key-policy-service-scoped", "k"), expected: { advisory: ["exempted"] } },
  ]);
});
