// The local Lambda runtime's execution environment: one child process per environment, as Lambda gives each
// concurrent invocation its own sandbox. It loads the deployed archive's handler once (the cold start), then serves
// one invocation at a time from the parent over IPC, keeping module scope between invocations (warm starts), as the
// Node.js runtime does. Plain JavaScript, started without the repository's TypeScript loader: the function sees the
// same Node it would see in Lambda, not our tooling.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
"use strict";
const path = require("node:path");

const [fileName, exportName] = splitHandler(process.env._HANDLER || "index.handler");
const started = process.hrtime.bigint();
let handler;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(process.env.LAMBDA_TASK_ROOT, fileName));
  handler = exportName.split(".").reduce((o, key) => (o == null ? undefined : o[key]), mod);
  if (typeof handler !== "function") {
    fail("Runtime.HandlerNotFound", `${fileName}.${exportName} is undefined or not exported`);
  } else {
    process.send({ type: "ready", initMs: Number(process.hrtime.bigint() - started) / 1e6 });
  }
} catch (error) {
  fail(error && error.code === "MODULE_NOT_FOUND" ? "Runtime.ImportModuleError" : "Runtime.UserCodeSyntaxError", error);
}

process.on("message", (message) => {
  if (message && message.type === "invoke") void invoke(message);
});

// An error that escapes an invocation ends the environment, as Lambda's runtime exits on it (Runtime.ExitError).
process.on("uncaughtException", (error) => {
  console.error(JSON.stringify({ level: "ERROR", message: "Uncaught exception", errorType: error && error.name, errorMessage: error && error.message }));
  process.exit(129);
});
process.on("unhandledRejection", (reason) => {
  console.error(JSON.stringify({ level: "ERROR", message: "Unhandled promise rejection", errorMessage: String(reason && reason.message ? reason.message : reason) }));
  process.exit(128);
});

async function invoke(message) {
  process.env._X_AMZN_TRACE_ID = message.traceId || "";
  if (!message.traceId) delete process.env._X_AMZN_TRACE_ID;
  const deadline = message.deadlineMs;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: message.requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: message.clientContext,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  // Injected faults (the local cloud's fault plan), inside the environment as AWS FIS's Lambda extension injects them:
  // a delay before the handler, an error or an HTTP answer instead of (or after) it, or the process killed before it
  // answers, whether or not the handler has finished by then.
  const inject = message.inject || {};
  if (inject.crashAfterMs !== undefined) setTimeout(() => process.kill(process.pid, "SIGKILL"), inject.crashAfterMs);
  try {
    if (inject.startupDelayMs) await new Promise((resolve) => setTimeout(resolve, inject.startupDelayMs));
    const prevented = (inject.error && inject.error.preventExecution) || (inject.httpResponse && inject.httpResponse.preventExecution);
    let result = prevented ? undefined : await runHandler(message.event, context);
    if (inject.error) throw injectedError();
    if (inject.httpResponse) result = { statusCode: inject.httpResponse.statusCode, headers: { "Content-Type": inject.httpResponse.contentType }, body: "" };
    if (inject.crashAfterMs !== undefined) return;
    process.send({ type: "result", requestId: message.requestId, ok: true, payload: result === undefined ? null : result });
  } catch (error) {
    if (inject.crashAfterMs !== undefined) return;
    process.send({ type: "result", requestId: message.requestId, ok: false, error: errorPayload(error) });
  }
}

function runHandler(event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, value) => (error ? reject(error) : resolve(value));
    const returned = handler(event, context, callback);
    // An async handler (or one returning a promise) answers with its promise; a callback handler with its callback.
    if (returned && typeof returned.then === "function") returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
}

function injectedError() {
  const error = new Error("aws:lambda:invocation-error: the invocation failed (fault injected by the local cloud)");
  error.name = "InjectedFault";
  return error;
}

function fail(errorType, error) {
  const payload = typeof error === "string" ? { errorType, errorMessage: error, trace: [] } : { ...errorPayload(error), errorType };
  process.send({ type: "init-error", error: payload }, () => process.exit(1));
}

/** The shape Lambda's Node.js runtime reports a failed invocation in. */
function errorPayload(error) {
  if (error instanceof Error) {
    return { errorType: error.name || "Error", errorMessage: error.message, trace: String(error.stack || "").split("\n") };
  }
  return { errorType: typeof error, errorMessage: JSON.stringify(error) ?? String(error), trace: [] };
}

function splitHandler(value) {
  const dot = value.indexOf(".");
  return dot < 0 ? [value, "handler"] : [value.slice(0, dot), value.slice(dot + 1)];
}
