import { Option } from "commander";
import path from "node:path";
import { ENVIRONMENTS, type Environment } from "../../../stacks/environments";
import { ExitCode } from "../../automation/exit-codes";
import { REPO_ROOT } from "../../repo-root";
import { processIsAlive, readOperatorAccess, type OperatorAccess } from "../../../localcloud/operator/access";
import { parseCommandLine, subcommand, type CommandIo } from "../subcommand";

type EnvCommandIo = CommandIo;

interface EnvOptions {
  readonly env: Environment;
  readonly json: boolean;
}

/**
 * `orderflow local env --env <env> [--json]`: prints the shell exports that point the AWS CLI and SDKs at the running
 * local cloud as its operator (an administrator of the local account, whose calls the local IAM verifies and decides
 * like any other): `eval "$(npm run -s orderflow -- local env --env dev)"`. It reads what the running cloud published
 * in `.orderflow/local/<env>/operator.json` (readable by the user only). Exit 0, or 2 with one line when no cloud of
 * that environment is running.
 */
export function runEnvCommand(argv: readonly string[], io: EnvCommandIo, root: string = REPO_ROOT): number {
  const parsed = parseCommandLine(() => parse(argv, io), io);
  if ("exitCode" in parsed) return parsed.exitCode;
  const options: EnvOptions = parsed.options;
  const access = readOperatorAccess(path.join(root, ".orderflow", "local", options.env));
  if (!access || !processIsAlive(access.pid)) {
    io.writeError(`error: no local cloud of ${options.env} is running (its endpoint and credentials exist only while it runs): start one with \`npm run orderflow -- local --env ${options.env}\` and ask again.`);
    return ExitCode.error;
  }
  if (options.json) {
    io.write(JSON.stringify(variablesOf(access), null, 2));
    return ExitCode.ok;
  }
  io.write(`export ${Object.entries(variablesOf(access)).map(([name, value]) => `${name}=${shellQuote(value)}`).join(" ")}`);
  io.writeError(`# the operator of the local ${access.env} cloud (${access.roleArn.split("/").pop()}, an administrator of its account; IAM decides every call) at ${access.endpointUrl}`);
  io.writeError(`# the AWS CLI v1 ignores AWS_ENDPOINT_URL: pass it, e.g. aws --endpoint-url "$AWS_ENDPOINT_URL" sqs list-queues`);
  return ExitCode.ok;
}

/** The variables the AWS CLI (v1 reads AWS_DEFAULT_REGION) and the SDKs (AWS_REGION, AWS_ENDPOINT_URL) read. */
export function variablesOf(access: OperatorAccess): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: access.endpointUrl,
    AWS_ACCESS_KEY_ID: access.accessKeyId,
    AWS_SECRET_ACCESS_KEY: access.secretAccessKey,
    AWS_SESSION_TOKEN: access.sessionToken,
    AWS_REGION: access.region,
    AWS_DEFAULT_REGION: access.region,
  };
}

/** A value in single quotes, safe for `eval` (a quote inside becomes '\''). */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

function parse(argv: readonly string[], io: EnvCommandIo): EnvOptions {
  const program = subcommand("orderflow local env", io)
    .description("Print the shell exports (AWS_ENDPOINT_URL, credentials, region) that point the AWS CLI and SDKs at the running local cloud as its operator.")
    .addOption(new Option("--env <env>", "the environment the local cloud runs").choices(ENVIRONMENTS).makeOptionMandatory())
    .option("--json", "print the variables as one JSON object", false)
    .addHelpText(
      "after",
      '\nExit codes: 0 ok, 2 no local cloud of that environment is running.\nExample:\n  eval "$(npm run -s orderflow -- local env --env dev)"\n  aws --endpoint-url "$AWS_ENDPOINT_URL" sqs list-queues',
    );
  program.parse([...argv], { from: "user" });
  return program.opts<EnvOptions>();
}
