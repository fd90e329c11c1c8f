import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import * as z from "zod/mini";
import { documentClient } from "../shared/clients";
import { nonEmpty, readEnvironment } from "../shared/environment";
import { orderId } from "../shared/events";
import { answer, correlationIdOf, errorResponse, json } from "../shared/http";
import { logger, setCorrelationId, withPowertools } from "../shared/powertools";
import { parse } from "../shared/validation";
import { ORDERS_TABLE_KEY, toOrderView, type OrderItem } from "./orders-table";

// GET /orders/{id}. Environment: ORDERS_TABLE_NAME.

const env = readEnvironment({ ORDERS_TABLE_NAME: nonEmpty });
const db = documentClient();

const pathParameters = z.object({ pathParameters: z.object({ id: orderId }) });

export const handler = withPowertools(async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const correlationId = correlationIdOf(event);
  setCorrelationId(correlationId);
  return answer(correlationId, async () => {
    const { id } = parse(pathParameters, event, "request path").pathParameters;
    logger.appendKeys({ orderId: id });
    const { Item } = await db.send(new GetCommand({ TableName: env.ORDERS_TABLE_NAME, Key: { [ORDERS_TABLE_KEY]: id } }));
    if (Item === undefined) {
      return errorResponse(404, { error: "OrderNotFound", message: `Order ${id} does not exist.` });
    }
    return json(200, toOrderView(Item as OrderItem));
  });
});
