import { Function } from "../components/function";
import { Table } from "../components/table";
import { domainContext } from "./context";
import { functionDefaults, tableDefaults } from "./defaults";
import type { Exports } from "./contracts";
import { reference } from "./reference";

/**
 * Inventory: the stock table (stock per SKU and one reservation per order, key `pk`), and the saga's reserve-stock
 * (one transaction for every line of an order) and release-stock (its idempotent compensation).
 */
export async function inventoryStack(): Promise<Exports<"inventory">> {
  const { id, settings } = await domainContext();
  const platform = reference(id.env, "platform");
  const defaults = functionDefaults(id, settings, platform.alarmTopicArn);

  const stock = new Table("stock", { partitionKey: { name: "pk", type: "S" }, ...tableDefaults(settings) });
  const environment = { STOCK_TABLE_NAME: stock.tableName };
  const reserveStock = new Function("reserveStock", { handler: "inventory/reserve-stock.ts", environment, ...defaults });
  // One transaction of conditional updates and the reservation's put; the reservation read back on a retry.
  stock.grant(reserveStock, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem");
  const releaseStock = new Function("releaseStock", { handler: "inventory/release-stock.ts", environment, ...defaults });
  stock.grant(releaseStock, "dynamodb:GetItem", "dynamodb:UpdateItem");

  return { stockTableName: stock.tableName, reserveStockFunctionArn: reserveStock.arn, releaseStockFunctionArn: releaseStock.arn };
}
