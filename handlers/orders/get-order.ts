import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import * as z from "zod/mini";
import { callerOf, requireScope } from "../shared/caller";
import { documentClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { orderId } from "../shared/events";
import { answer, correlationIdOf, errorResponse, json } from "../shared/http";
import { logger, setCorrelationId, withPowertools } from "../shared/powertools";
import { parse } from "../shared/validation";
import { ORDERS_TABLE_KEY, toOrderView, type OrderItem } from "./orders-table";
import { ORDERS_SCOPES } from "./scopes";

// GET /orders/{id}. Environment: ORDERS_TABLE_NAME. A customer reads only their own orders: another customer's answers
// 404, exactly as a missing one, so order ids reveal nothing. A machine client with orders/read reads any.

const env = readEnvironment({ ORDERS_TABLE_NAME: nonEmpty });
const db = documentClient();

const pathParameters = z.object({ pathParameters: z.object({ id: orderId }) });

export const handler = withPowertools(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const correlationId = correlationIdOf(event);
  setCorrelationId(correlationId);
  return answer(correlationId, async () => {
    const caller = callerOf(event);
    if (caller.kind === "machine") requireScope(caller, ORDERS_SCOPES.read);
    const { id } = parse(pathParameters, event, "request path").pathParameters;
    logger.appendKeys({ orderId: id });
    const { Item } = await db.send(new GetCommand({ TableName: env.ORDERS_TABLE_NAME, Key: { [ORDERS_TABLE_KEY]: id } }));
    if (Item === undefined || (caller.kind === "customer" && (Item as OrderItem).customerId !== caller.customerId)) {
      return errorResponse(404, { error: "OrderNotFound", message: `Order ${id} does not exist.` });
    }
    return json(200, toOrderView(Item as OrderItem));
  });
});
