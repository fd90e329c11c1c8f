// Stands in for `semver` in every Lambda bundle (see LAMBDA_ALIASES in ../bundle.ts).
//
// Who asks for it: the X-Ray SDK (aws-xray-sdk-core, which @aws-lambda-powertools/tracer loads), and only in
// `patchers/aws_p.js`, the patcher for the AWS SDK for JavaScript v2: `captureAWS(AWS)` calls `semver.gte(AWS.VERSION,
// "2.7.15")` before patching v2's service classes. Its index requires that file at load time, so its own copy of
// semver (~28 KiB minified, the largest single part of the X-Ray SDK in a bundle) came into every function.
//
// Why this is safe: the functions use the AWS SDK v3 only; Powertools' Tracer traces v3 clients through
// `captureAWSv3Client` (patchers/aws3_p.js), which never reads semver, and the handlers never call captureAWS (v2 is
// not even installed). No other package in a Lambda bundle requires semver (the bundle test checks the function
// bundles hold no semver code). Should anything call it after all, it fails at once with this module's name rather
// than answering a wrong comparison.
function unavailable(name: string): never {
  throw new Error(
    `semver.${name}() is not in this Lambda bundle: components/lambda-bundle-aliases/semver.ts replaces semver, which ` +
      `only the X-Ray SDK's AWS SDK v2 patcher (captureAWS) uses. Remove the alias from LAMBDA_ALIASES if code needs it.`,
  );
}

export const gte = (): never => unavailable("gte");
