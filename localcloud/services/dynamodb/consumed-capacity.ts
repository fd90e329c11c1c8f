import type { Usage } from "../../kernel/usage";

/** DynamoDB's data-plane actions by what they consume: read request units or write request units. */
const READS = new Set(["GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"]);
const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"]);
const SINGLE_WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem"]);

interface ConsumedCapacity {
  readonly CapacityUnits?: number;
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
}

/**
 * What a DynamoDB request consumed, in on-demand request units, as DynamoDB Local reports it: the endpoint asks for
 * `ReturnConsumedCapacity: TOTAL` on every data-plane request (the units are DynamoDB's own count by item size,
 * consistency and transactions, not an estimate of ours), reports the units, and hands the caller the answer it would
 * have had without the question. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 */
export class ConsumedCapacityMeter {
  constructor(private readonly meter: (usage: Usage) => void) {}

  /** The request to forward, asking for the consumed capacity; `strip` when the caller did not ask for it. */
  request(action: string, body: Buffer): { readonly body: Buffer; readonly strip: boolean } | undefined {
    if (!READS.has(action) && !WRITES.has(action)) return undefined;
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      return undefined;
    }
    const asked = input.ReturnConsumedCapacity === "TOTAL" || input.ReturnConsumedCapacity === "INDEXES";
    if (asked) return { body, strip: false };
    return { body: Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: "TOTAL" })), strip: true };
  }

  /** Reports the units of an answer; resolves to the answer the caller gets. */
  response(action: string, status: number, body: Buffer, strip: boolean): Buffer {
    let output: Record<string, unknown>;
    try {
      output = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    } catch {
      return body;
    }
    if (status !== 200) {
      // A write whose condition fails still consumes write capacity (at least one unit):
      // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html
      if (SINGLE_WRITES.has(action) && String(output.__type ?? "").endsWith("ConditionalCheckFailedException")) this.meter({ "dynamodb.writeRequestUnits": 1 });
      return body;
    }
    const consumed = ([] as ConsumedCapacity[]).concat((output.ConsumedCapacity as ConsumedCapacity | ConsumedCapacity[] | undefined) ?? []);
    const units = consumed.reduce((n, c) => n + (READS.has(action) ? (c.ReadCapacityUnits ?? c.CapacityUnits ?? 0) : (c.WriteCapacityUnits ?? c.CapacityUnits ?? 0)), 0);
    if (units > 0) this.meter({ [READS.has(action) ? "dynamodb.readRequestUnits" : "dynamodb.writeRequestUnits"]: units });
    if (!strip) return body;
    delete output.ConsumedCapacity;
    return Buffer.from(JSON.stringify(output));
  }
}
