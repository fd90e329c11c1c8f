import { readFileSync } from "node:fs";
import path from "node:path";

/** An AWS SDK v3 operation: the service's IAM prefix (its SigV4 signing name) and the API operation's name. */
export interface SdkOperation {
  /** `dynamodb`, `sqs`, `events`, `ses`, `sms-voice`: what IAM actions of this service start with. */
  readonly service: string;
  /** `GetItem`, `SendMessage`, `PutEvents`. */
  readonly operation: string;
}

const CLIENT_PACKAGE = /[\\/]node_modules[\\/](@aws-sdk[\\/]client-[a-z0-9-]+)[\\/]/;
const DOCUMENT_CLIENT_PACKAGE = /[\\/]node_modules[\\/]@aws-sdk[\\/]lib-dynamodb[\\/]/;

/**
 * The IAM prefix of an SDK client package: the signing name its endpoint parameters default to
 * (`defaultSigningName: "dynamodb"` in `dist-es/endpoint/EndpointParameters.js`). SigV4 signs with the service's
 * signing name, and that is the prefix of its IAM actions for every client here (SES v2 signs as `ses`, End User
 * Messaging SMS as `sms-voice`): read from the SDK, not listed by hand. Callers check the result against the IAM
 * action catalogue.
 */
export function signingNameOf(clientPackageDir: string): string {
  const file = path.join(clientPackageDir, "dist-es", "endpoint", "EndpointParameters.js");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`Cannot read the signing name of ${path.basename(clientPackageDir)}: ${file} is missing (an SDK layout this analysis does not know).`);
  }
  const match = /defaultSigningName:\s*"([^"]+)"/.exec(text);
  if (!match) throw new Error(`${file} names no defaultSigningName: cannot tell the IAM prefix of ${path.basename(clientPackageDir)}.`);
  return match[1];
}

const signingNames = new Map<string, string>();

/** The client package directory of a file inside it (`.../node_modules/@aws-sdk/client-sqs`), or undefined. */
export function clientPackageDirOf(file: string): string | undefined {
  const match = CLIENT_PACKAGE.exec(file);
  if (!match) return undefined;
  return file.slice(0, match.index + match[0].length - 1);
}

/** The service of a client package, cached per package. */
export function serviceOfClientPackage(packageDir: string): string {
  let name = signingNames.get(packageDir);
  if (!name) {
    name = signingNameOf(packageDir);
    signingNames.set(packageDir, name);
  }
  return name;
}

/**
 * What a command class declared in `declarationFile` calls, or undefined when it is no SDK command. A client's command
 * (`@aws-sdk/client-sqs`'s `SendMessageCommand`) is its operation; a document client command (`@aws-sdk/lib-dynamodb`'s
 * `GetCommand`) wraps a low-level command, named by the type of its `clientCommand` (`GetItemCommand`), which the
 * caller reads from the declaration and passes as `wrappedCommand`.
 */
export function sdkOperationOf(className: string, declarationFile: string, wrappedCommand?: { className: string; declarationFile: string }): SdkOperation | undefined {
  if (!className.endsWith("Command")) return undefined;
  const packageDir = clientPackageDirOf(declarationFile);
  if (packageDir) return { service: serviceOfClientPackage(packageDir), operation: className.slice(0, -"Command".length) };
  if (DOCUMENT_CLIENT_PACKAGE.test(declarationFile) && wrappedCommand) return sdkOperationOf(wrappedCommand.className, wrappedCommand.declarationFile);
  return undefined;
}

/** The client package a module specifier names (`@aws-sdk/client-dynamodb`), resolved from `fromDir`. */
export function clientPackageDirOfSpecifier(specifier: string, fromDir: string): string | undefined {
  if (!/^@aws-sdk\/client-[a-z0-9-]+$/.test(specifier)) return undefined;
  try {
    return clientPackageDirOf(require.resolve(`${specifier}/package.json`, { paths: [fromDir] }));
  } catch {
    return undefined;
  }
}
