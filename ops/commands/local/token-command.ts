import { Option } from "commander";
import path from "node:path";
import { ENVIRONMENTS, type Environment } from "../../../stacks/environments";
import { ExitCode } from "../../automation/exit-codes";
import { readTokenSecret, TOKEN_ENDPOINT_PATH, TOKEN_SECRET_HEADER, tokenSecretFile, type TokenEndpointAnswer, type TokenEndpointRequest } from "../../../localcloud/services/apigateway/token-endpoint";
import { REPO_ROOT } from "../../repo-root";
import { DEFAULT_PORT, portOption } from "./port-option";
import { parseCommandLine, subcommand, type CommandIo } from "../subcommand";

/** Where the command writes (the `local` command's io, which passes itself here). */
interface TokenCommandIo extends CommandIo {
  /** The checkout whose `.orderflow/local/<env>/token-secret` holds the running cloud's secret. @default the repository root */
  readonly root?: string;
}


interface TokenOptions {
  readonly env: Environment;
  readonly customer?: string;
  readonly scope?: string[];
  readonly client?: string;
  readonly port: number;
  readonly json: boolean;
}

/**
 * `orderflow local token --env <env> (--customer <id> | --scope <scope>...) [--port N] [--json]`: asks the running
 * local cloud (its keys exist only in its process) for a bearer access token. The token alone goes to stdout, so
 * `TOKEN=$(npm run -s orderflow -- local token ...)` works; the API key to send with it (`x-api-key`) and the token's
 * lifetime go to stderr. `--json` prints everything as one JSON object instead. Exit 0, or 2 with one line.
 */
export async function runTokenCommand(argv: readonly string[], io: TokenCommandIo): Promise<number> {
  const parsed = parseCommandLine(() => parse(argv, io), io);
  if ("exitCode" in parsed) return parsed.exitCode;
  const options: TokenOptions = parsed.options;
  if ((options.customer === undefined) === (options.scope === undefined)) {
    io.writeError(
      options.customer === undefined
        ? "error: name the caller: --customer <id> for a signed-in customer's token, or --scope <scope> (orders/read, orders/write) for the back-office client's."
        : "error: --customer and --scope exclude each other: a customer's token carries aws.cognito.signin.user.admin; --scope asks for a machine client's token.",
    );
    return ExitCode.error;
  }
  const request: TokenEndpointRequest = {
    ...(options.customer !== undefined ? { customer: options.customer } : {}),
    ...(options.scope !== undefined ? { scopes: options.scope } : {}),
    ...(options.client !== undefined ? { clientId: options.client } : {}),
  };
  const where = `127.0.0.1:${options.port}`;
  const start = `start one with \`npm run local\`${options.env !== "dev" || options.port !== DEFAULT_PORT ? ` (here: npm run orderflow -- local --env ${options.env}${options.port !== DEFAULT_PORT ? ` --port ${options.port}` : ""})` : ""} and ask again`;
  // The run's secret, from the file only the user who started it can read: without it the endpoint mints nothing.
  const secretFile = tokenSecretFile(io.root ?? REPO_ROOT, options.env);
  let secret: string | undefined;
  try {
    secret = readTokenSecret(secretFile);
  } catch (error) {
    io.writeError(`error: ${(error as Error).message}`);
    return ExitCode.error;
  }
  let response: Response;
  try {
    response = await fetch(`http://${where}${TOKEN_ENDPOINT_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret !== undefined ? { [TOKEN_SECRET_HEADER]: secret } : {}) },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    io.writeError(
      cause?.code === "ECONNREFUSED"
        ? `error: no local cloud is running on ${where}: the tokens are signed by the running local cloud; ${start}.`
        : `error: the local cloud on ${where} did not answer: ${(error as Error).message}.`,
    );
    return ExitCode.error;
  }
  const text = await response.text();
  let body: Partial<TokenEndpointAnswer> & { message?: string };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = {};
  }
  if (typeof body.env === "string" && body.env !== options.env) {
    io.writeError(`error: the local cloud on ${where} runs ${body.env}, not ${options.env}: ask with --env ${body.env}, or start a ${options.env} one on another port (npm run orderflow -- local --env ${options.env} --port <N>) and pass that --port.`);
    return ExitCode.error;
  }
  if (response.status === 401) {
    const relative = path.relative(process.cwd(), secretFile);
    const shown = relative.startsWith("..") ? secretFile : relative;
    io.writeError(
      secret === undefined
        ? `error: the local cloud on ${where} asks for its run's secret, and ${shown} does not exist: was it started from another checkout, or with another --env? Ask from the checkout that runs it.`
        : `error: the local cloud on ${where} refused the secret in ${shown}: that file belongs to another run (another checkout's cloud on this port?).`,
    );
    return ExitCode.error;
  }
  if (response.status !== 200 || typeof body.accessToken !== "string") {
    // An older local cloud, or another program on the port, answers without the token endpoint.
    const known = response.status === 400 && typeof body.message === "string";
    io.writeError(known ? `error: ${body.message}` : `error: what answers on ${where} is not a local cloud serving tokens (HTTP ${response.status}${body.message ? `: ${body.message}` : ""}); ${start}.`);
    return ExitCode.error;
  }
  if (options.json) {
    io.write(JSON.stringify(body, null, 2));
    return ExitCode.ok;
  }
  io.write(body.accessToken);
  const who = options.customer !== undefined ? `customer ${options.customer}` : `client ${body.clientName ?? body.clientId}`;
  io.writeError(`# access token for ${who} (scope ${body.scope}), valid ${Math.round((body.expiresIn ?? 0) / 60)} min; API ${body.apiUrl}`);
  io.writeError(body.apiKey ? `# x-api-key: ${body.apiKey.value}   (the ${body.apiKey.name} API key, this run only)` : "# no API key is paired with this client in the stacks' outputs");
  return ExitCode.ok;
}

function parse(argv: readonly string[], io: TokenCommandIo): TokenOptions {
  const program = subcommand("orderflow local token", io)
    .description("Print a bearer access token from the running local cloud's user pool: a signed-in customer's, or the back-office client's (client credentials).")
    .addOption(new Option("--env <env>", "the environment the local cloud runs").choices(ENVIRONMENTS).makeOptionMandatory())
    .option("--customer <id>", "a customer's token: the customer id becomes the token's sub")
    .option("--scope <scope...>", "a machine client's token with these scopes (--scope orders/read orders/write, or the option repeated)")
    .option("--client <clientId>", "the app client (default: the pool's only client for this kind of token)")
    .option("--port <port>", "the local cloud's API port", portOption(1), DEFAULT_PORT)
    .option("--json", "print the token, its API key, lifetime and API URL as JSON", false)
    .addHelpText(
      "after",
      '\nThe token alone goes to stdout; the API key to send as x-api-key goes to stderr.\nExit codes: 0 ok, 2 an error (no local cloud on the port, a bad request).\nExample:\n  TOKEN=$(npm run -s orderflow -- local token --env dev --customer jane-1)\n  curl "http://127.0.0.1:3000/live/orders/<id>" -H "Authorization: Bearer $TOKEN" -H "x-api-key: <key printed above>"',
    );
  program.parse([...argv], { from: "user" });
  return program.opts<TokenOptions>();
}

