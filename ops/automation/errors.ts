import { ExitCode, type ExitCodeValue } from "./exit-codes";

/** Where to get the Pulumi CLI; the Automation API drives it but does not ship it. */
export const PULUMI_INSTALL_URL = "https://www.pulumi.com/docs/install/";

/** The command that needs neither the Pulumi CLI nor an AWS account. */
export const OFFLINE_PREVIEW_COMMAND = "npm start";

/** A failure the user can fix, with the message saying how; the CLI prints it without a stack trace. */
export class OperationError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.error,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command line itself is wrong (unknown environment, `--offline` with `up`, ...). */
export class UsageError extends OperationError {}

/** `pulumi` is not on the PATH, so no real operation can start. */
export class PulumiCliMissingError extends OperationError {
  constructor(detail?: string) {
    super(
      [
        `The Pulumi CLI was not found${detail ? ` (${detail})` : " on the PATH"}. Real operations (up, preview, destroy, drift) drive it through the Automation API.`,
        `Install it from ${PULUMI_INSTALL_URL} (for example \`curl -fsSL https://get.pulumi.com | sh\` or \`brew install pulumi/tap/pulumi\`), then open a new shell so \`pulumi version\` works.`,
        `To see what would be deployed without the Pulumi CLI or an AWS account, run \`${OFFLINE_PREVIEW_COMMAND}\` (the offline preview of dev; \`npm run orderflow -- preview --env <env> --offline\` for another environment).`,
      ].join("\n"),
    );
  }
}

/** No source of AWS credentials was found, so the AWS provider would fail on its first call. */
export class AwsCredentialsMissingError extends OperationError {
  constructor() {
    super(
      [
        "No AWS credentials were found: none of AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI is set, and there is no ~/.aws/credentials or ~/.aws/config.",
        "Set them in one of these ways:",
        "  - `aws configure` (or `aws configure sso` then `aws sso login`), then `export AWS_PROFILE=<profile>`;",
        "  - export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials);",
        "  - in GitHub Actions, aws-actions/configure-aws-credentials with `role-to-assume` (OIDC).",
        "On EC2 or another host whose role the AWS SDK finds by itself, set ORDERFLOW_SKIP_CREDENTIALS_CHECK=1.",
        `To see what would be deployed without an AWS account, run \`${OFFLINE_PREVIEW_COMMAND}\` (or \`npm run orderflow -- preview --env <env> --offline\`).`,
      ].join("\n"),
    );
  }
}

/** The local file backend encrypts secrets with a passphrase the CLI would otherwise prompt for (and hang in CI). */
export class PassphraseMissingError extends OperationError {
  constructor(backendUrl: string) {
    super(
      [
        `The state backend ${backendUrl} encrypts stack secrets with a passphrase, and neither PULUMI_CONFIG_PASSPHRASE nor PULUMI_CONFIG_PASSPHRASE_FILE is set.`,
        "Export PULUMI_CONFIG_PASSPHRASE (an empty string is allowed for throw-away stacks) or PULUMI_CONFIG_PASSPHRASE_FILE=<path to a file holding it>.",
      ].join("\n"),
    );
  }
}

/**
 * The useful part of a failure: the Automation API's CommandError carries the whole stdout/stderr of the CLI, so keep
 * its `error:` lines (the engine's diagnosis) and fall back to the last non-empty line.
 */
export function summarizeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // A CommandError's message is "code: N\n stdout: ...\n stderr: ...": drop those labels from the lines they start.
  const lines = text
    .split("\n")
    .map((l) => l.trim().replace(/^(?:stdout|stderr|err\?):\s*/, ""))
    .filter((l) => l.length > 0);
  const errorLines = [...new Set(lines.filter((l) => /^error:/i.test(l)))];
  if (errorLines.length > 0) return errorLines.join("\n");
  return lines.at(-1) ?? "unknown error";
}

/**
 * How a failed stack is reported, once, in the run's summary. When the Pulumi CLI itself failed (the Automation API's
 * CommandError: the CLI exited non-zero), its own stderr says why in its words, so it is given whole, with the
 * `error:` lines of its stdout (the engine's diagnostics) that stderr does not repeat; other failures are summarized.
 */
export function failureReport(error: unknown): string {
  const result = (error as { commandResult?: { stdout?: unknown; stderr?: unknown } } | null)?.commandResult;
  const stderr = typeof result?.stderr === "string" ? result.stderr.trim() : "";
  if (stderr === "") return summarizeError(error);
  const stdout = typeof result?.stdout === "string" ? result.stdout : "";
  const fromStdout = [...new Set(stdout.split("\n").map((l) => l.trim()).filter((l) => /^error:/i.test(l) && !stderr.includes(l)))];
  return [...fromStdout, stderr].join("\n");
}

/** Whether an error from the Automation API means the `pulumi` binary could not be started at all. */
export function isPulumiCliMissing(error: unknown): boolean {
  const text = error instanceof Error ? `${error.message} ${(error as { code?: unknown }).code ?? ""}` : String(error);
  return /spawn\s+\S*pulumi\S*\s+ENOENT/i.test(text) || /pulumi: (command )?not found/i.test(text);
}
