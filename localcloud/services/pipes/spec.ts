import { num, obj, str, type GraphResources, type Origin } from "../../graph/resources";
import { GraphError } from "../../graph/errors";

export interface PipeSpec extends Origin {
  readonly name: string;
  readonly arn: string;
  readonly roleArn: string;
  readonly sourceArn: string;
  readonly source: {
    readonly batchSize: number;
    readonly maximumBatchingWindowSeconds: number;
    readonly startingPosition: string;
    /** -1 retries forever (Pipes' default for streams). */
    readonly maximumRetryAttempts: number;
    /** -1 keeps records until they expire from the stream. */
    readonly maximumRecordAgeSeconds: number;
    readonly bisectOnFailure: boolean;
    readonly deadLetterArn?: string;
  };
  readonly filters: readonly string[];
  readonly enrichmentArn?: string;
  readonly enrichmentInputTemplate?: string;
  readonly targetArn: string;
  readonly targetInputTemplate?: string;
  readonly stateMachineInvocationType?: "FIRE_AND_FORGET" | "REQUEST_RESPONSE";
}

/** The graph's pipes (DynamoDB stream sources only). */
export function readPipes(graph: GraphResources): PipeSpec[] {
  const { of, origin, out } = graph;
  return of("aws:pipes/pipe:Pipe").map(({ stack, r }) => {
    const i = r.inputs;
    const sourceParameters = obj(i.sourceParameters);
    const stream = obj(sourceParameters.dynamodbStreamParameters);
    const targetParameters = obj(i.targetParameters);
    const filters = (obj(sourceParameters.filterCriteria).filters as { pattern?: string }[] | undefined) ?? [];
    const sourceArn = String(i.source);
    if (!sourceArn.includes(":dynamodb:")) throw new GraphError(`Pipe ${String(out(r).name)} reads ${sourceArn}: the local cloud serves DynamoDB stream sources for pipes.`);
    return {
      ...origin(stack, r),
      name: String(out(r).name),
      arn: String(out(r).arn),
      roleArn: String(i.roleArn),
      sourceArn,
      source: {
        // Pipes' DynamoDB stream defaults (PipeSourceDynamoDBStreamParameters): batch 100, no window, retries and
        // record age unlimited (-1).
        batchSize: num(stream.batchSize) ?? 100,
        maximumBatchingWindowSeconds: num(stream.maximumBatchingWindowInSeconds) ?? 0,
        startingPosition: str(stream.startingPosition) ?? "LATEST",
        maximumRetryAttempts: num(stream.maximumRetryAttempts) ?? -1,
        maximumRecordAgeSeconds: num(stream.maximumRecordAgeInSeconds) ?? -1,
        bisectOnFailure: stream.onPartialBatchItemFailure === "AUTOMATIC_BISECT",
        ...(str(obj(stream.deadLetterConfig).arn) ? { deadLetterArn: str(obj(stream.deadLetterConfig).arn) } : {}),
      },
      filters: filters.map((f) => String(f.pattern)),
      ...(str(i.enrichment) ? { enrichmentArn: str(i.enrichment) } : {}),
      ...(str(obj(i.enrichmentParameters).inputTemplate) ? { enrichmentInputTemplate: str(obj(i.enrichmentParameters).inputTemplate) } : {}),
      targetArn: String(i.target),
      ...(str(targetParameters.inputTemplate) ? { targetInputTemplate: str(targetParameters.inputTemplate) } : {}),
      ...(str(obj(targetParameters.stepFunctionStateMachineParameters).invocationType)
        ? { stateMachineInvocationType: str(obj(targetParameters.stepFunctionStateMachineParameters).invocationType) as "FIRE_AND_FORGET" | "REQUEST_RESPONSE" }
        : {}),
    };
  });
}
