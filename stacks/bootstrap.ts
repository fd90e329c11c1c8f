import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNTS, parseStackName } from "./environments";
import type { Exports } from "./contracts";

/** The X-Ray resource policy's name; policy names are unique in an account. */
export const SNS_TRACING_POLICY_NAME = "orderflow-sns-active-tracing";

/**
 * An account's bootstrap (stack `bootstrap.<account>`): what AWS keeps one of per account and region, which every
 * environment of the account needs and none may own, since destroying that environment would take it from the others.
 *
 * - API Gateway's CloudWatch role (`aws.apigateway.Account`), without which no REST API stage can write access logs.
 *   "You should only have one AWS::ApiGateway::Account resource per region per account"
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-account.html).
 * - The X-Ray resource policy that lets SNS send the segments of actively traced topics: without it "active tracing"
 *   sends nothing (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-sns.html). An account holds at most
 *   5 X-Ray resource policies (https://docs.aws.amazon.com/xray/latest/api/API_PutResourcePolicy.html), so there is one
 *   for all the account's topics, not one per topic or environment.
 *
 * Destroy it only after every environment of the account: `pulumi destroy --stack bootstrap.<account>`.
 */
export function bootstrapStack(): Exports<"bootstrap"> {
  const id = parseStackName(pulumi.getStack());
  if (id.kind !== "bootstrap") throw new Error(`Stack "${id.stack}" is not a bootstrap stack.`);
  const account = id.account;
  const identity = aws.getCallerIdentityOutput();
  const region = aws.getRegionOutput().region;
  const partition = aws.getPartitionOutput().partition;
  const environments = ACCOUNTS[account].join(", ");

  const apiGatewayRole = createApiGatewayCloudWatchRole();
  const snsTracing = createSnsTracingPolicy();
  return { apiGatewayCloudWatchRoleArn: apiGatewayRole.arn, snsTracingPolicyName: snsTracing.policyName };

  // API Gateway writes access and execution logs through one role per account and region. Its trust policy is the one
  // AWS documents for it, the bare service principal: API Gateway's logging guide and the AWS::ApiGateway::Account
  // example trust apigateway.amazonaws.com without conditions, and neither documents that API Gateway sends
  // aws:SourceAccount or aws:SourceArn when it assumes this role, so such a condition could lock it out
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). What the role may do is what
  // keeps it narrow: log groups of this account and region only.
  function createApiGatewayCloudWatchRole(): aws.iam.Role {
    const role = new aws.iam.Role("apiGatewayLogs", {
      description: `Lets API Gateway write access and execution logs (account ${account}: ${environments}).`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    const write = new aws.iam.RolePolicy("apiGatewayLogsWrite", {
      role: role.name,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: [
              "logs:CreateLogGroup",
              "logs:CreateLogStream",
              "logs:DescribeLogStreams",
              "logs:PutLogEvents",
              "logs:GetLogEvents",
              "logs:FilterLogEvents",
            ],
            Resource: pulumi.interpolate`arn:${partition}:logs:${region}:${identity.accountId}:log-group:*`,
          },
          // DescribeLogGroups has no resource-level permissions (Service Authorization Reference): on log-group ARNs
          // it allowed nothing, and IAM only allows it on "*".
          { Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
        ],
      }),
    });
    // API Gateway checks that it can assume the role and write with it when the setting is saved.
    new aws.apigateway.Account("apiGatewayAccount", { cloudwatchRoleArn: role.arn }, { dependsOn: [write] });
    return role;
  }

  // The policy AWS documents for SNS active tracing: sns.amazonaws.com may send segments and read sampling rules, for
  // topics of this account only (aws:SourceAccount, and aws:SourceArn over the account's topics in this region).
  function createSnsTracingPolicy(): aws.xray.ResourcePolicy {
    return new aws.xray.ResourcePolicy("snsActiveTracing", {
      policyName: SNS_TRACING_POLICY_NAME,
      policyDocument: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "SNSActiveTracing",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: ["xray:PutTraceSegments", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
            Resource: "*",
            Condition: {
              StringEquals: { "aws:SourceAccount": identity.accountId },
              StringLike: { "aws:SourceArn": pulumi.interpolate`arn:${partition}:sns:${region}:${identity.accountId}:*` },
            },
          },
        ],
      }),
    });
  }
}
