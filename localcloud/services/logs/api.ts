import { AwsError } from "../../kernel/aws-error";
import type { RequestContext } from "../../endpoint/endpoint";
import type { LogEvent } from "../../kernel/logs";
import { page } from "../../endpoint/pagination";
import { compileFilterPattern } from "./filter-pattern";
import type { LogGroupSpec } from "./spec";

type Input = Record<string, unknown>;

/** Where the groups' events are read from (the local cloud's LogStore). */
export interface LogEventSource {
  events(component: string): readonly LogEvent[];
}

/**
 * The CloudWatch Logs API an operator reads logs with (`Logs_20140328.<Action>`, JSON 1.1): the log groups the graph
 * declares (each function's, the label worker's), their streams (a function's execution environments, as Lambda
 * names them), GetLogEvents over one stream and FilterLogEvents over a group with CloudWatch's filter pattern syntax.
 * Timestamps are milliseconds since the epoch, as this API carries them.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
 */
export class CloudWatchLogsApi {
  readonly contentType = "application/x-amz-json-1.1";

  constructor(
    private readonly groups: readonly LogGroupSpec[],
    private readonly source: LogEventSource,
    private readonly cloud: { partition: string; region: string; account: string },
    /** When the groups were "created": the local cloud's start. */
    private readonly createdAt: number,
  ) {}

  call(action: string, input: Input, _context: RequestContext): Promise<Input> {
    return Promise.resolve(this.answer(action, input));
  }

  private answer(action: string, input: Input): Input {
    switch (action) {
      case "DescribeLogGroups": {
        const prefix = optionalString(input.logGroupNamePrefix, "logGroupNamePrefix");
        const pattern = optionalString(input.logGroupNamePattern, "logGroupNamePattern");
        if (prefix !== undefined && pattern !== undefined) throw invalid("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
        const selected = this.groups
          .filter((g) => (prefix === undefined || g.logGroupName.startsWith(prefix)) && (pattern === undefined || g.logGroupName.toLowerCase().includes(pattern.toLowerCase())))
          .sort((a, b) => a.logGroupName.localeCompare(b.logGroupName));
        const { items, next } = page(selected, { max: input.limit, token: input.nextToken, limit: 50, error: invalid });
        return { logGroups: items.map((g) => this.describeGroup(g)), ...(next ? { nextToken: next } : {}) };
      }
      case "DescribeLogStreams": {
        const group = this.group(input);
        const prefix = optionalString(input.logStreamNamePrefix, "logStreamNamePrefix");
        const orderBy = input.orderBy ?? "LogStreamName";
        if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime") throw invalid(`1 validation error detected: Value '${String(orderBy)}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`);
        if (orderBy === "LastEventTime" && prefix !== undefined) throw invalid("Cannot order by LastEventTime with a logStreamNamePrefix.");
        const streams = this.streams(group).filter((s) => prefix === undefined || s.logStreamName.startsWith(prefix));
        streams.sort((a, b) => (orderBy === "LastEventTime" ? a.lastEventTimestamp - b.lastEventTimestamp : a.logStreamName.localeCompare(b.logStreamName)));
        if (input.descending === true) streams.reverse();
        const { items, next } = page(streams, { max: input.limit, token: input.nextToken, limit: 50, error: invalid });
        return { logStreams: items, ...(next ? { nextToken: next } : {}) };
      }
      case "GetLogEvents": {
        const group = this.group(input);
        const streamName = requiredString(input.logStreamName, "logStreamName");
        const events = this.inWindow(this.source.events(group.component).filter((e) => e.logStream === streamName), input);
        if (events.length === 0 && !this.streams(group).some((s) => s.logStreamName === streamName)) throw notFound("The specified log stream does not exist.");
        return this.getLogEvents(events, input);
      }
      case "FilterLogEvents": {
        const group = this.group(input);
        const names = Array.isArray(input.logStreamNames) ? input.logStreamNames.map(String) : undefined;
        const prefix = optionalString(input.logStreamNamePrefix, "logStreamNamePrefix");
        if (names && prefix !== undefined) throw invalid("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
        const matches = compileFilterPattern(optionalString(input.filterPattern, "filterPattern"));
        const events = this.inWindow(this.source.events(group.component), input)
          .map((e, index) => ({ e, index }))
          .filter(({ e }) => (!names || names.includes(e.logStream)) && (prefix === undefined || e.logStream.startsWith(prefix)) && matches(e.message));
        const { items, next } = page(events, { max: input.limit, token: input.nextToken, limit: 10000, error: invalid });
        return {
          events: items.map(({ e, index }) => ({ logStreamName: e.logStream, timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp, eventId: `${e.timestamp}${String(index).padStart(20, "0")}` })),
          searchedLogStreams: [],
          ...(next ? { nextToken: next } : {}),
        };
      }
      default:
        throw new AwsError("UnknownOperationException", `The local cloud does not serve CloudWatch Logs ${action}.`);
    }
  }

  /**
   * GetLogEvents' paging: from the head (startFromHead) or the tail, `limit` events at a time; `nextForwardToken` and
   * `nextBackwardToken` point past each end, and a token at the end comes back unchanged (how readers stop).
   */
  private getLogEvents(events: readonly LogEvent[], input: Input): Input {
    const limit = input.limit === undefined ? 10000 : Number(input.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw invalid(`1 validation error detected: Value '${String(input.limit)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 10000`);
    let start: number;
    let end: number;
    const token = typeof input.nextToken === "string" ? /^([fb])\/(\d+)$/.exec(input.nextToken) : undefined;
    if (typeof input.nextToken === "string" && !token) throw invalid("The specified nextToken is invalid.");
    if (token?.[1] === "f") {
      start = Math.min(Number(token[2]), events.length);
      end = Math.min(events.length, start + limit);
    } else if (token?.[1] === "b") {
      end = Math.min(Number(token[2]), events.length);
      start = Math.max(0, end - limit);
    } else if (input.startFromHead === true) {
      start = 0;
      end = Math.min(events.length, limit);
    } else {
      end = events.length;
      start = Math.max(0, end - limit);
    }
    return {
      events: events.slice(start, end).map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.timestamp })),
      nextForwardToken: `f/${end}`,
      nextBackwardToken: `b/${start}`,
    };
  }

  private inWindow(events: readonly LogEvent[], input: Input): LogEvent[] {
    const start = typeof input.startTime === "number" ? input.startTime : -Infinity;
    const end = typeof input.endTime === "number" ? input.endTime : Infinity;
    return events.filter((e) => e.timestamp >= start && e.timestamp <= end);
  }

  private group(input: Input): LogGroupSpec {
    const identifier = optionalString(input.logGroupIdentifier, "logGroupIdentifier");
    const name = optionalString(input.logGroupName, "logGroupName");
    if (identifier !== undefined && name !== undefined) throw invalid("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
    const reference = name ?? identifier?.replace(/^arn:[^:]+:logs:[^:]*:[^:]*:log-group:/, "").replace(/:\*$/, "");
    if (reference === undefined) throw invalid("Either logGroupName or logGroupIdentifier must be given.");
    const group = this.groups.find((g) => g.logGroupName === reference);
    if (!group) throw notFound("The specified log group does not exist.");
    return group;
  }

  private streams(group: LogGroupSpec): { logStreamName: string; creationTime: number; firstEventTimestamp: number; lastEventTimestamp: number; lastIngestionTime: number; arn: string; storedBytes: number }[] {
    const byName = new Map<string, { first: number; last: number }>();
    for (const e of this.source.events(group.component)) {
      const seen = byName.get(e.logStream);
      if (seen) seen.last = e.timestamp;
      else byName.set(e.logStream, { first: e.timestamp, last: e.timestamp });
    }
    return [...byName].map(([logStreamName, { first, last }]) => ({
      logStreamName,
      creationTime: first,
      firstEventTimestamp: first,
      lastEventTimestamp: last,
      lastIngestionTime: last,
      arn: `${this.groupArn(group)}:log-stream:${logStreamName}`,
      // Deprecated in the API, always 0.
      storedBytes: 0,
    }));
  }

  private describeGroup(group: LogGroupSpec): Input {
    const stored = this.source.events(group.component).reduce((n, e) => n + Buffer.byteLength(e.message), 0);
    return {
      logGroupName: group.logGroupName,
      creationTime: this.createdAt,
      ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
      metricFilterCount: 0,
      arn: `${this.groupArn(group)}:*`,
      storedBytes: stored,
      ...(group.kmsKeyId ? { kmsKeyId: group.kmsKeyId } : {}),
      logGroupClass: "STANDARD",
      logGroupArn: this.groupArn(group),
    };
  }

  private groupArn(group: LogGroupSpec): string {
    return `arn:${this.cloud.partition}:logs:${this.cloud.region}:${this.cloud.account}:log-group:${group.logGroupName}`;
  }
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`${name} must be a string.`);
  return value;
}

function requiredString(value: unknown, name: string): string {
  if (typeof value !== "string" || value.length === 0) throw invalid(`1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  return value;
}

function invalid(message: string): AwsError {
  return new AwsError("InvalidParameterException", message);
}

function notFound(message: string): AwsError {
  return new AwsError("ResourceNotFoundException", message);
}
