import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type AttributeValue as StreamAttributeValue,
  type DynamoDBStreamsClient,
  type _Record as StreamApiRecord,
  type Shard,
  type ShardIteratorType,
} from "@aws-sdk/client-dynamodb-streams";

// Reads a DynamoDB Local table's stream through the DynamoDB Streams API (DescribeStream, GetShardIterator,
// GetRecords) as Lambda's event source mapping and EventBridge Pipes do, and hands out batches of records in the
// shape they deliver to a function (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html#services-ddb-event).
// Records are delivered per shard in stream order, a child shard only after its parent is done. A batch stays
// "in flight" until the consumer checkpoints it: whatever was not checkpointed is delivered again, from the first
// record after the checkpoint, by the next call to next(), so a consumer can retry, bisect or send a batch to a DLQ
// (and then checkpoint it) without losing or repeating a record.

export type StartingPosition = "TRIM_HORIZON" | "LATEST";
export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";

/** An attribute value as Lambda delivers it in JSON: binary values base64-encoded. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { NULL: boolean }
  | { BOOL: boolean };

/** One record as Lambda and Pipes deliver it (the `Records` entries of a DynamoDB stream event). */
export interface DynamoDBStreamRecord {
  eventID: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  eventVersion: string;
  eventSource: "aws:dynamodb";
  awsRegion: string;
  dynamodb: {
    /** Epoch seconds. */
    ApproximateCreationDateTime: number;
    Keys: Record<string, AttributeValue>;
    NewImage?: Record<string, AttributeValue>;
    OldImage?: Record<string, AttributeValue>;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  eventSourceARN: string;
  /** Only on deletions by TTL: `{ type: "Service", principalId: "dynamodb.amazonaws.com" }`. */
  userIdentity?: { type: string; principalId: string };
}

/** Records of one shard, in stream order, not yet checkpointed. */
export interface StreamBatch {
  readonly shardId: string;
  readonly records: readonly DynamoDBStreamRecord[];
  readonly firstSequenceNumber: string;
  readonly lastSequenceNumber: string;
  /** How many times the first record has been handed out, this time included (1 on the first delivery). */
  readonly deliveries: number;
  /**
   * Marks the records up to and including `sequenceNumber` (default: the batch's last record) as processed; they
   * are never delivered again. A batch not checkpointed up to its last record is delivered again from the first
   * record after the checkpoint by the next call to next().
   */
  checkpoint(sequenceNumber?: string): void;
}

export interface StreamReaderOptions {
  /** A client on DynamoDB Local's endpoint (the DynamoDB Streams API is served on the same port). */
  readonly client: DynamoDBStreamsClient;
  /** The local stream's ARN (LatestStreamArn of DescribeTable), which the API reads. */
  readonly streamArn: string;
  /** TRIM_HORIZON: every record the stream holds. LATEST: only records written after openStreamReader resolved. */
  readonly startingPosition: StartingPosition;
  /** The most records per batch, 1 to 10000. @default 100 (Lambda's default for DynamoDB streams) */
  readonly batchSize?: number;
  /** How long to wait before polling again when no shard had records. @default 250 (Lambda polls 4 times a second) */
  readonly pollIntervalMs?: number;
  /** What the records carry as `eventSourceARN`, e.g. the graph's stream ARN. @default streamArn */
  readonly eventSourceArn?: string;
  /** What the records carry as `awsRegion` (DynamoDB Local answers "ddblocal"), e.g. the graph's region. */
  readonly awsRegion?: string;
}

interface ShardState {
  readonly id: string;
  readonly parentId?: string;
  /** How to get the first iterator: from the shard's start, or its end at the time the reader opened. */
  readonly start: "TRIM_HORIZON" | "LATEST";
  /** undefined: to be acquired; null: the shard is closed and read to its end. */
  iterator: string | null | undefined;
  /** The last sequence number fetched, so an expired iterator can be renewed right after it. */
  lastFetched?: string;
  /** Fetched, not yet checkpointed, in order. */
  readonly buffer: DynamoDBStreamRecord[];
  /** How many times each buffered record has been handed out, by sequence number. */
  readonly deliveries: Map<string, number>;
  /** Set once an empty shard's first iterator was replaced by one at its start (DynamoDB Local's numbering). */
  renewedAtStart?: boolean;
  done: boolean;
}

/** Polls one stream; use `for await (const batch of reader)` or next(), and stop() when done. */
export class DynamoDBStreamReader implements AsyncIterable<StreamBatch> {
  private readonly shards = new Map<string, ShardState>();
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  /** The shard whose last batch was not checkpointed to its end: it is delivered again before anything else. */
  private retrying?: ShardState;
  private cursor = 0;
  private stopped = false;
  private busy = false;
  private wake?: () => void;
  private inFlight?: Promise<unknown>;

  /** Use openStreamReader, which positions the reader before resolving. */
  private constructor(private readonly options: StreamReaderOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > 10_000) {
      throw new RangeError(`batchSize must be a whole number from 1 to 10000, but ${this.batchSize} was given.`);
    }
    if (!(this.pollIntervalMs >= 0)) throw new RangeError(`pollIntervalMs must be 0 or more, but ${this.pollIntervalMs} was given.`);
  }

  /** @internal */
  static async open(options: StreamReaderOptions): Promise<DynamoDBStreamReader> {
    const reader = new DynamoDBStreamReader(options);
    await reader.discoverShards(true);
    return reader;
  }

  /**
   * The next batch: the one not checkpointed, again, if there is one; else the next records of a shard, waiting (and
   * polling) until some are written. Resolves undefined once the reader is stopped. Not to be called concurrently.
   */
  async next(): Promise<StreamBatch | undefined> {
    if (this.busy) throw new Error("next() was called again before the previous call resolved; a stream has one consumer at a time.");
    this.busy = true;
    const work = this.nextBatch();
    this.inFlight = work;
    try {
      return await work;
    } finally {
      this.busy = false;
      this.inFlight = undefined;
    }
  }

  /** Stops polling; a pending next() resolves undefined. Records not checkpointed are not delivered any more. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.inFlight?.catch(() => undefined);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamBatch> {
    try {
      for (let batch = await this.next(); batch; batch = await this.next()) yield batch;
    } finally {
      await this.stop();
    }
  }

  /** How many records each shard has fetched and not yet checkpointed (delivered or not), for diagnostics. */
  pending(): Record<string, number> {
    return Object.fromEntries([...this.shards.values()].filter((s) => s.buffer.length > 0).map((s) => [s.id, s.buffer.length]));
  }

  private async nextBatch(): Promise<StreamBatch | undefined> {
    while (!this.stopped) {
      // A retry reads nothing new: the buffer holds exactly what is left of the batch (fill stops at batchSize).
      if (this.retrying && this.retrying.buffer.length > 0) return this.deliver(this.retrying);
      this.retrying = undefined;
      const ready = [...this.shards.values()].filter((shard) => this.isReady(shard));
      let closed = false;
      for (let i = 0; i < ready.length && !this.stopped; i++) {
        const shard = ready[(this.cursor + i) % ready.length];
        await this.fill(shard);
        if (shard.buffer.length > 0) {
          this.cursor = (this.cursor + i + 1) % Math.max(ready.length, 1);
          return this.deliver(shard);
        }
        if (shard.iterator === null) {
          shard.done = true;
          closed = true;
        }
      }
      if (this.stopped) break;
      // A shard that ended has children (DynamoDB rolls shards over); look for them before sleeping.
      if (closed || ready.length === 0) await this.discoverShards(false);
      if (closed) continue;
      await this.sleep(this.pollIntervalMs);
    }
    return undefined;
  }

  private isReady(shard: ShardState): boolean {
    if (shard.done) return false;
    const parent = shard.parentId === undefined ? undefined : this.shards.get(shard.parentId);
    // A parent the stream no longer lists has been trimmed: nothing of it is left to read first.
    return parent === undefined || parent.done;
  }

  private deliver(shard: ShardState): StreamBatch {
    const records = shard.buffer.slice(0, this.batchSize);
    for (const r of records) shard.deliveries.set(r.dynamodb.SequenceNumber, (shard.deliveries.get(r.dynamodb.SequenceNumber) ?? 0) + 1);
    const first = records[0].dynamodb.SequenceNumber;
    const last = records[records.length - 1].dynamodb.SequenceNumber;
    this.retrying = shard;
    return {
      shardId: shard.id,
      records,
      firstSequenceNumber: first,
      lastSequenceNumber: last,
      deliveries: shard.deliveries.get(first) ?? 1,
      checkpoint: (sequenceNumber = last) => this.checkpoint(shard, records, sequenceNumber),
    };
  }

  private checkpoint(shard: ShardState, records: readonly DynamoDBStreamRecord[], sequenceNumber: string): void {
    if (!records.some((r) => r.dynamodb.SequenceNumber === sequenceNumber)) {
      throw new RangeError(`Sequence number ${sequenceNumber} is not one of this batch's records (shard ${shard.id}).`);
    }
    const through = BigInt(sequenceNumber);
    while (shard.buffer.length > 0 && BigInt(shard.buffer[0].dynamodb.SequenceNumber) <= through) {
      shard.deliveries.delete(shard.buffer[0].dynamodb.SequenceNumber);
      shard.buffer.shift();
    }
    // The batch is settled once its last record is: the consumer may move on to any shard.
    if (through >= BigInt(records[records.length - 1].dynamodb.SequenceNumber) && this.retrying === shard) this.retrying = undefined;
  }

  /** Reads the shard until a batch is full, the shard is caught up with, or it ends. */
  private async fill(shard: ShardState): Promise<void> {
    while (shard.buffer.length < this.batchSize && shard.iterator !== null && !this.stopped) {
      shard.iterator ??= await this.iteratorFor(shard);
      let answer;
      try {
        answer = await this.options.client.send(
          new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: Math.min(1000, this.batchSize - shard.buffer.length) }),
        );
      } catch (error) {
        // Iterators expire after 15 minutes (a consumer that held a batch that long); renew it where reading stopped.
        if ((error as { name?: string }).name === "ExpiredIteratorException") {
          shard.iterator = undefined;
          continue;
        }
        // DynamoDB Local numbers stream records across all its tables. An iterator taken on a shard still empty points
        // at the next number, and when a write to another table takes that number first, DynamoDB Local answers
        // TrimmedDataAccessException although nothing was trimmed (seen with 3.3.0). Everything such a shard holds was
        // written after the iterator was taken, so reading it from its start delivers exactly that.
        if ((error as { name?: string }).name === "TrimmedDataAccessException" && shard.lastFetched === undefined && !shard.renewedAtStart) {
          shard.renewedAtStart = true;
          shard.iterator = await this.iteratorFor({ ...shard, start: "TRIM_HORIZON" });
          continue;
        }
        throw error;
      }
      const records = (answer.Records ?? []).map((record) => this.lambdaRecord(record));
      shard.buffer.push(...records);
      if (records.length > 0) shard.lastFetched = records[records.length - 1].dynamodb.SequenceNumber;
      shard.iterator = answer.NextShardIterator ?? null;
      if (records.length === 0) break;
    }
  }

  private async iteratorFor(shard: ShardState): Promise<string> {
    const type: ShardIteratorType = shard.lastFetched ? "AFTER_SEQUENCE_NUMBER" : shard.start;
    const { ShardIterator } = await this.options.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shard.id,
        ShardIteratorType: type,
        ...(shard.lastFetched ? { SequenceNumber: shard.lastFetched } : {}),
      }),
    );
    if (!ShardIterator) throw new Error(`GetShardIterator returned no iterator for shard ${shard.id} of ${this.options.streamArn}.`);
    return ShardIterator;
  }

  /**
   * Lists the stream's shards and adds the new ones. At opening with LATEST, closed shards are skipped and open ones
   * get their LATEST iterator now, so whatever is written once the reader is open is read. Shards found later are
   * read from their start: everything in them is new.
   */
  private async discoverShards(opening: boolean): Promise<void> {
    const found: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.options.client.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) }),
      );
      found.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);

    for (const shard of found) {
      if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
      const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
      const latest = opening && this.options.startingPosition === "LATEST";
      const state: ShardState = {
        id: shard.ShardId,
        ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
        start: latest ? "LATEST" : "TRIM_HORIZON",
        iterator: undefined,
        buffer: [],
        deliveries: new Map(),
        done: latest && closed,
      };
      this.shards.set(shard.ShardId, state);
      if (latest && !closed) state.iterator = await this.iteratorFor(state);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private lambdaRecord(record: StreamApiRecord): DynamoDBStreamRecord {
    const d = record.dynamodb ?? {};
    if (!d.SequenceNumber) throw new Error(`A stream record of ${this.options.streamArn} has no sequence number.`);
    const expired = isExpiryByTtl(record);
    if (!expired && !["INSERT", "MODIFY", "REMOVE"].includes(record.eventName ?? "")) {
      throw new Error(`Stream record ${d.SequenceNumber} of ${this.options.streamArn} has an unknown event name: ${JSON.stringify(record.eventName)}.`);
    }
    const converted: DynamoDBStreamRecord = {
      eventID: record.eventID ?? "",
      eventName: expired ? "REMOVE" : (record.eventName as DynamoDBStreamRecord["eventName"]),
      eventVersion: record.eventVersion ?? "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: this.options.awsRegion ?? record.awsRegion ?? "",
      dynamodb: {
        ApproximateCreationDateTime: Math.floor((d.ApproximateCreationDateTime?.getTime() ?? Date.now()) / 1000),
        Keys: image(d.Keys) ?? {},
        ...(d.NewImage ? { NewImage: image(d.NewImage) } : {}),
        ...(d.OldImage ? { OldImage: image(d.OldImage) } : {}),
        SequenceNumber: d.SequenceNumber,
        SizeBytes: d.SizeBytes ?? 0,
        StreamViewType: (d.StreamViewType ?? "KEYS_ONLY") as StreamViewType,
      },
      eventSourceARN: this.options.eventSourceArn ?? this.options.streamArn,
    };
    if (expired) converted.userIdentity = { ...TTL_IDENTITY };
    else if (record.userIdentity?.Type && record.userIdentity.PrincipalId) {
      converted.userIdentity = { type: record.userIdentity.Type, principalId: record.userIdentity.PrincipalId };
    }
    return converted;
  }
}

// DynamoDB names a deletion by TTL REMOVE, with the TTL process as the identity
// (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html). DynamoDB Local 3.3.0 sends
// "UNKNOWN_TO_SDK_VERSION" (its Java SDK's name for a value it cannot map) and no userIdentity; seen nowhere else.
const TTL_IDENTITY = { type: "Service", principalId: "dynamodb.amazonaws.com" } as const;
function isExpiryByTtl(record: StreamApiRecord): boolean {
  return (record.eventName as string | undefined) === "UNKNOWN_TO_SDK_VERSION" && record.dynamodb?.NewImage === undefined && record.dynamodb?.Keys !== undefined;
}

/** Opens a reader on a stream: lists its shards and, for LATEST, takes the current end of each open shard. */
export function openStreamReader(options: StreamReaderOptions): Promise<DynamoDBStreamReader> {
  return DynamoDBStreamReader.open(options);
}

function image(values: Record<string, StreamAttributeValue> | undefined): Record<string, AttributeValue> | undefined {
  if (!values) return undefined;
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, attributeValue(value)]));
}

// The SDK turns binary values into bytes; Lambda's JSON event carries them base64-encoded.
function attributeValue(value: StreamAttributeValue): AttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString("base64") };
  if (value.SS !== undefined) return { SS: value.SS };
  if (value.NS !== undefined) return { NS: value.NS };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString("base64")) };
  if (value.M !== undefined) return { M: image(value.M) ?? {} };
  if (value.L !== undefined) return { L: value.L.map(attributeValue) };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  throw new Error(`A stream record holds an attribute value of an unknown type: ${JSON.stringify(value)}.`);
}
