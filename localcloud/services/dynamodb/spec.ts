import type { RecordedResource } from "../../../ops/engine/recording-monitor";
import { str, type GraphResources, type Origin } from "../../graph/resources";

export interface TableSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  /** The graph's stream ARN (DynamoDB Local makes its own). */
  readonly streamArn?: string;
  readonly resource: RecordedResource;
}

/** The graph's tables (DynamoDB Local creates them from their recorded resource). */
export function readTables(graph: GraphResources): TableSpec[] {
  const { of, origin, out } = graph;
  return of("aws:dynamodb/table:Table").map(({ stack, r }) => ({
    ...origin(stack, r),
    name: String(out(r).name),
    arn: String(out(r).arn),
    ...(str(out(r).streamArn) ? { streamArn: str(out(r).streamArn) } : {}),
    resource: r,
  }));
}
