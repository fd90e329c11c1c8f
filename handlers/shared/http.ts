import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { AccessDenied } from "./caller";
import { ValidationError, type FieldIssue } from "./errors";
import { logger } from "./powertools";

/** The header a client sends to correlate its request with our logs; echoed back on every response. */
export const CORRELATION_HEADER = "x-correlation-id";

const correlationIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** Case-insensitive header lookup: API Gateway passes headers as the client spelled them. */
export function header(event: Pick<APIGatewayProxyEvent, "headers">, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** The client's correlation id when it sent a well-formed one, else API Gateway's request id. */
export function correlationIdOf(event: Pick<APIGatewayProxyEvent, "headers" | "requestContext">): string {
  const sent = header(event, CORRELATION_HEADER);
  if (sent !== undefined && correlationIdPattern.test(sent)) return sent;
  return event.requestContext?.requestId ?? "unknown";
}

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** The error body every HTTP handler answers with: a code, a message, and for invalid input the fields at fault. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly fields?: readonly FieldIssue[];
}

export function errorResponse(statusCode: number, body: ErrorBody, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return json(statusCode, body, headers);
}

/**
 * Runs an HTTP handler's body and turns what it throws into a response: validation errors into 400 with the fields,
 * refused access into 401 or 403, anything unexpected into a 500 that says nothing about the internals (the details go to the log, traced).
 */
export async function answer(
  correlationId: string,
  body: () => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  const echo = { [CORRELATION_HEADER]: correlationId };
  try {
    const response = await body();
    return { ...response, headers: { ...response.headers, ...echo } };
  } catch (error) {
    if (error instanceof ValidationError) {
      logger.info("rejected invalid request", { fields: error.issues });
      return errorResponse(400, { error: "ValidationError", message: error.message, fields: error.issues }, echo);
    }
    if (error instanceof AccessDenied) {
      logger.warn("refused request", { status: error.statusCode, reason: error.message });
      return errorResponse(error.statusCode, { error: error.name, message: error.message }, echo);
    }
    logger.error("request failed", error as Error);
    return errorResponse(500, { error: "InternalError", message: `Something went wrong; quote ${correlationId} when reporting it.` }, echo);
  }
}
