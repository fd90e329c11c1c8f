import { createHash } from "node:crypto";
import { AwsError } from "../../kernel/aws-error";
import type { RequestContext } from "../../endpoint/endpoint";
import { queryResponse } from "../../endpoint/query-xml";

/** Who a role's session is: the role and the session's name (a function's name, `operator`). */
export type SessionOf = (roleArn: string) => { readonly sessionName: string } | undefined;

/**
 * STS GetCallerIdentity (query protocol, XML): the caller of a signed request, as the assumed-role session its keys
 * belong to (`arn:aws:sts::<account>:assumed-role/<role>/<session>`, user id `<role id>:<session>`). It needs no
 * permission: IAM cannot deny it, as AWS documents. Other STS actions are not served: the local cloud issues its
 * sessions itself.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
export class StsApi {
  readonly xmlns = "https://sts.amazonaws.com/doc/2011-06-15/";

  constructor(private readonly sessionOf: SessionOf) {}

  call(action: string, _params: Readonly<Record<string, string>>, context: RequestContext): Promise<string> {
    if (action !== "GetCallerIdentity") throw new AwsError("InvalidAction", `The local cloud does not serve STS ${action}.`);
    const roleArn = context.principal;
    const role = /^arn:([^:]+):iam::(\d+):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    const session = this.sessionOf(roleArn);
    if (!role || !session) throw new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
    const [, partition, account, roleName] = role;
    return Promise.resolve(
      queryResponse(this.xmlns, action, {
        Arn: `arn:${partition}:sts::${account}:assumed-role/${roleName}/${session.sessionName}`,
        UserId: `${roleIdOf(roleArn)}:${session.sessionName}`,
        Account: account,
      }),
    );
  }
}

/** A role's unique id (`AROA` + 17 characters, the shape IAM gives role ids), stable for the role's ARN. */
function roleIdOf(roleArn: string): string {
  return `AROA${createHash("sha256").update(roleArn).digest("base64").replace(/[^A-Z0-9]/gi, "").toUpperCase().slice(0, 17)}`;
}
