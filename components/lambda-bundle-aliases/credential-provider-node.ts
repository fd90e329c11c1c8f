// Stands in for `@aws-sdk/credential-provider-node` in every Lambda bundle (see LAMBDA_ALIASES in ../bundle.ts): the
// default credential provider of every AWS SDK v3 client, narrowed to the one source Lambda uses.
//
// Why this is safe in Lambda: the SDK's default chain tries the environment first (fromEnv: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and only falls back to SSO, the shared ini files, credential_process, web
// identity and the ECS/EC2 metadata endpoints when those variables are missing
// (https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/setting-credentials-node.html). Lambda always sets
// them, to the execution role's credentials, before the function's code runs: they are reserved variables of every
// managed runtime ("AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN – The access keys obtained from the
// function's execution role", https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
// So in a function the fallbacks never run; bundling them cost ~130 KB of code per function (the SSO, STS and
// sign-in clients they use among it) and its load time at every cold start. The one Lambda feature that serves
// credentials another way, SnapStart, is not offered for Node.js runtimes
// (https://docs.aws.amazon.com/lambda/latest/dg/snapstart.html).
//
// Only Lambda bundles get this: the Fargate label worker runs the SDK's own chain, which reads the container
// credentials endpoint.
import { fromEnv, type FromEnvInit } from "@aws-sdk/credential-provider-env";
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from "@smithy/core";

type AwsCredentialIdentityProvider = ReturnType<typeof fromEnv>;
type AwsCredentialIdentity = Awaited<ReturnType<AwsCredentialIdentityProvider>>;

/**
 * The client's default credentials: the execution role's, from the environment, memoized as the SDK memoizes
 * credentials given to a client (re-read only when they carry an expiration that is near).
 */
export const defaultProvider = (init: FromEnvInit = {}): AwsCredentialIdentityProvider => {
  const fromLambdaEnvironment = fromEnv(init);
  return memoizeIdentityProvider(
    async (options?: Record<string, unknown>) => {
      try {
        return await fromLambdaEnvironment(options);
      } catch (error) {
        throw new Error(
          "No AWS credentials in the environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set. This " +
            "function was bundled for AWS Lambda, which sets them to the execution role's credentials, so it reads " +
            "credentials from nowhere else (no profile, ini file or metadata endpoint). Outside Lambda, set those " +
            "variables (and AWS_SESSION_TOKEN for temporary credentials).",
          { cause: error },
        );
      }
    },
    isIdentityExpired,
    doesIdentityRequireRefresh,
  ) as AwsCredentialIdentityProvider;
};

// The other two exports of @aws-sdk/credential-provider-node, with its semantics: credentials with an expiration
// will need a refresh, and are treated as expired in their last five minutes.
export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined;

export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
