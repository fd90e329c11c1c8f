import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { grant, type GranteeLike } from "../../components/grant";
import type { IConsumerFunction } from "../../components/interfaces";

/**
 * A bare Lambda function with its own role, standing in for the Function component where a test is about something
 * else (a queue's subscription, a rule's target): no bundling, same interface.
 */
export function testFunction(name: string, timeoutSeconds = 10, reservedConcurrency?: number): IConsumerFunction {
  const role = new aws.iam.Role(`${name}Role`, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  const fn = new aws.lambda.Function(name, {
    role: role.arn,
    runtime: "nodejs24.x",
    handler: "index.handler",
    code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler=async()=>{}") }),
    timeout: timeoutSeconds,
    reservedConcurrentExecutions: reservedConcurrency,
  });
  const double: IConsumerFunction = {
    name,
    arn: fn.arn,
    functionName: fn.name,
    timeoutSeconds,
    reservedConcurrency,
    role,
    grantName: name,
    grantParent: fn,
    grantInvoke: (grantee: GranteeLike) =>
      grant(grantee, `invoke-${name}`, [{ actions: ["lambda:InvokeFunction"], resources: [fn.arn, pulumi.interpolate`${fn.arn}:*`] }]),
  };
  return double;
}

/** A bare role, as a grantee of grants under test. */
export function testRole(name: string, service = "lambda.amazonaws.com"): aws.iam.Role {
  return new aws.iam.Role(name, {
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    }),
  });
}
