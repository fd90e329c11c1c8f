import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ComponentArgumentError } from "./errors";
import { grant, type GranteeLike, type Permission } from "./grant";
import type { ITable } from "./interfaces";
import { transform, type Transform } from "./transform";

/** A DynamoDB scalar type: string, number or binary. */
export type AttributeType = "S" | "N" | "B";

/** A key attribute: its name and DynamoDB type. */
export interface TableKey {
  readonly name: string;
  readonly type: AttributeType;
}

/** A global secondary index, on-demand like its table. */
export interface GlobalSecondaryIndex {
  /** 3 to 255 characters of `a-z A-Z 0-9 _ - .`, unique in the table. */
  readonly name: string;
  readonly partitionKey: TableKey;
  readonly sortKey?: TableKey;
  /**
   * Which attributes the index holds: `"ALL"`, `"KEYS_ONLY"`, or a list of non-key attributes to project (`INCLUDE`).
   * @default `"ALL"`
   */
  readonly projection?: "ALL" | "KEYS_ONLY" | readonly string[];
}

/** What a stream record carries: the item after the change, or before and after. */
export type StreamView = "NEW_IMAGE" | "NEW_AND_OLD_IMAGES";

export interface TableArgs {
  /** The partition (hash) key. */
  partitionKey: TableKey;
  /**
   * The sort (range) key; its name must differ from the partition key's.
   * @default - No sort key.
   */
  sortKey?: TableKey;
  /**
   * Global secondary indexes, at most 20 (DynamoDB's default quota). A key attribute used by several keys must have
   * the same type everywhere.
   * @default - No indexes.
   */
  globalSecondaryIndexes?: GlobalSecondaryIndex[];
  /**
   * Continuous backups with point-in-time recovery (35 days).
   * @default true
   */
  pointInTimeRecovery?: boolean;
  /**
   * Encryption at rest with a KMS key: the AWS-managed `aws/dynamodb` key, or `kmsKeyArn` when given. False falls back
   * to the AWS-owned key, which CloudTrail cannot show being used.
   * @default true
   */
  serverSideEncryption?: boolean;
  /**
   * A customer-managed KMS key for encryption at rest; grants then add the KMS actions readers and writers need.
   * Requires `serverSideEncryption` to stay on.
   * @default - The AWS-managed `aws/dynamodb` key.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * A Number attribute holding an epoch-seconds expiry; DynamoDB deletes items once it has passed.
   * @default - No expiry.
   */
  timeToLiveAttribute?: string;
  /**
   * Refuse DeleteTable until turned off (on in prod through settings).
   * @default false
   */
  deletionProtection?: boolean;
  /**
   * A DynamoDB stream of item changes, for use as a Pipe source: `"NEW_IMAGE"` or `"NEW_AND_OLD_IMAGES"`.
   * @default - No stream.
   */
  stream?: StreamView;
  /** Changes the child resources before they are created. */
  transform?: {
    table?: Transform<aws.dynamodb.TableArgs>;
  };
}

/** The attributes of a table owned by another stack. */
export interface TableAttributes {
  arn: pulumi.Input<string>;
  tableName: pulumi.Input<string>;
  /** The stream's ARN, when the table has one; without it `grantStreamRead` fails. */
  streamArn?: pulumi.Input<string>;
  /** The table's customer-managed KMS key, when it has one; grants then include the KMS actions. */
  kmsKeyArn?: pulumi.Input<string>;
}

/** The item reads: what GetItem, BatchGetItem, Query, Scan and transactions' condition checks are authorized as. */
const READ_DATA_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:ConditionCheckItem"] as const;
/** The item writes: PutItem, UpdateItem, DeleteItem, BatchWriteItem (and transactions' items, as their own actions). */
const WRITE_DATA_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"] as const;
/** What `grant` accepts: the item reads and writes, and DescribeTable. */
const TABLE_ACTIONS: readonly string[] = [...READ_DATA_ACTIONS, ...WRITE_DATA_ACTIONS, "dynamodb:DescribeTable"];
/**
 * What Powertools' idempotency persistence layer (DynamoDBPersistenceLayer) calls on its table: PutItem to claim a
 * key, GetItem to read a claimed one, UpdateItem to save the result, DeleteItem to release a key after a failure.
 */
const IDEMPOTENCY_STORE_ACTIONS = ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"] as const;
const READ_STREAM_DATA_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"] as const;
const KEY_READ_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"] as const;
const KEY_WRITE_ACTIONS = ["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"] as const;

/**
 * The grants every table offers, whether this stack owns it (`Table`) or imports it (`Table.fromAttributes`).
 * Resources are the table ARN and `arn/index/*` only, so a grant never reaches another table.
 */
export abstract class TableBase extends pulumi.ComponentResource implements ITable {
  /** The logical name; names the grant policies. */
  readonly name: string;
  /** The ARN of the table. */
  abstract readonly arn: pulumi.Output<string>;
  /** The physical name of the table. */
  abstract readonly tableName: pulumi.Output<string>;
  /** The ARN of the table's stream; undefined when it has none. */
  abstract readonly streamArn?: pulumi.Output<string>;
  /** The customer-managed KMS key encrypting the table, when there is one. */
  abstract readonly kmsKeyArn?: pulumi.Output<string>;

  protected constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.name = name;
  }

  /**
   * Exactly these actions on the table and its indexes, for a grantee whose code calls only them
   * (`orders.grant(getOrder, "dynamodb:GetItem")`); the item reads and writes and DescribeTable are accepted (+ kms:Decrypt,
   * kms:DescribeKey with a customer key, and kms:Encrypt, ReEncrypt*, GenerateDataKey* when a write is among them). One
   * call per grantee and table: list every action it needs.
   */
  grant(grantee: GranteeLike, ...actions: string[]): aws.iam.RolePolicy {
    const label = `Table "${this.name}"`;
    if (actions.length === 0) throw new ComponentArgumentError(label, "`grant` needs at least one action, like \"dynamodb:GetItem\".");
    const unknown = actions.filter((a) => !TABLE_ACTIONS.includes(a));
    if (unknown.length > 0) {
      throw new ComponentArgumentError(label, `\`grant\` takes table actions (${TABLE_ACTIONS.join(", ")}), but ${unknown.map((a) => JSON.stringify(a)).join(", ")} was provided. Stream reads go through grantStreamRead.`);
    }
    const writes = actions.some((a) => (WRITE_DATA_ACTIONS as readonly string[]).includes(a));
    return grant(grantee, `grant-${this.name}`, this.tablePermissions([...new Set(actions)], writes ? [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS] : KEY_READ_ACTIONS));
  }

  /**
   * Reads items: dynamodb:GetItem, BatchGetItem, Query, Scan, ConditionCheckItem on the table and its indexes (+ kms:Decrypt,
   * kms:DescribeKey with a customer key).
   */
  grantReadData(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `readData-${this.name}`, this.tablePermissions(READ_DATA_ACTIONS, KEY_READ_ACTIONS));
  }

  /**
   * Writes items: dynamodb:PutItem, UpdateItem, DeleteItem, BatchWriteItem on the table and its indexes (+ kms:Decrypt,
   * DescribeKey, Encrypt, ReEncrypt*, GenerateDataKey* with a customer key).
   */
  grantWriteData(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `writeData-${this.name}`, this.tablePermissions(WRITE_DATA_ACTIONS, [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS]));
  }

  /** Reads and writes items: grantReadData's and grantWriteData's actions in one policy. */
  grantReadWriteData(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `readWriteData-${this.name}`, this.tablePermissions([...READ_DATA_ACTIONS, ...WRITE_DATA_ACTIONS], [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS]));
  }

  /**
   * Uses this table as a Powertools idempotency store: dynamodb:PutItem, GetItem, UpdateItem, DeleteItem (what
   * DynamoDBPersistenceLayer calls) on the table (+ the KMS actions of a writer with a customer key).
   */
  grantIdempotencyStore(grantee: GranteeLike): aws.iam.RolePolicy {
    return grant(grantee, `idempotencyStore-${this.name}`, this.tablePermissions(IDEMPOTENCY_STORE_ACTIONS, [...KEY_READ_ACTIONS, ...KEY_WRITE_ACTIONS]));
  }

  /**
   * Reads the change stream: dynamodb:DescribeStream, GetRecords, GetShardIterator on the stream ARN (+ kms:Decrypt,
   * kms:DescribeKey with a customer key). Fails on a table without a stream.
   *
   * Unlike CDK, no dynamodb:ListStreams: it has no resource-level permissions (it would need `*`), and it only finds
   * a table's stream ARN, which Pipes and event source mappings are given directly.
   */
  grantStreamRead(grantee: GranteeLike): aws.iam.RolePolicy {
    if (this.streamArn === undefined) {
      throw new ComponentArgumentError(
        `Table "${this.name}"`,
        "grantStreamRead needs a stream, and this table has none. Set `stream` to \"NEW_IMAGE\" or " +
          "\"NEW_AND_OLD_IMAGES\" (or pass `streamArn` to Table.fromAttributes).",
      );
    }
    const permissions: Permission[] = [{ actions: READ_STREAM_DATA_ACTIONS, resources: [this.streamArn] }];
    if (this.kmsKeyArn) permissions.push({ actions: KEY_READ_ACTIONS, resources: [this.kmsKeyArn] });
    return grant(grantee, `streamread-${this.name}`, permissions);
  }

  private tablePermissions(actions: readonly string[], keyActions: readonly string[]): Permission[] {
    const permissions: Permission[] = [{ actions, resources: [this.arn, pulumi.interpolate`${this.arn}/index/*`] }];
    if (this.kmsKeyArn) permissions.push({ actions: keyActions, resources: [this.kmsKeyArn] });
    return permissions;
  }
}

/**
 * An on-demand DynamoDB table with typed keys, point-in-time recovery and KMS encryption at rest on by default.
 *
 * @example
 * ```ts
 * const orders = new Table("orders", {
 *   partitionKey: { name: "pk", type: "S" },
 *   sortKey: { name: "sk", type: "S" },
 *   timeToLiveAttribute: "expiresAt",
 *   stream: "NEW_IMAGE",
 * });
 * orders.grant(placeOrder, "dynamodb:GetItem", "dynamodb:PutItem");
 * ```
 */
export class Table extends TableBase {
  /** The ARN of the table. */
  readonly arn: pulumi.Output<string>;
  /** The physical name of the table. */
  readonly tableName: pulumi.Output<string>;
  /** The ARN of the table's stream; undefined when `stream` is not set. */
  readonly streamArn?: pulumi.Output<string>;
  /** The customer-managed KMS key encrypting the table, when `kmsKeyArn` was given. */
  readonly kmsKeyArn?: pulumi.Output<string>;
  /** The raw resources this component created. */
  readonly nodes: { readonly table: aws.dynamodb.Table };

  /** A table owned by another stack, with the same grants. */
  static fromAttributes(name: string, attributes: TableAttributes, opts?: pulumi.ComponentResourceOptions): ITable {
    return new ImportedTable(name, attributes, opts);
  }

  constructor(name: string, args: TableArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a table with impossible options must not leave even its component behind.
    const attributes = validate(`Table "${name}"`, args);
    super("orderflow:data:Table", name, opts);

    const table = createTable(this);

    this.arn = table.arn;
    this.tableName = table.name;
    this.streamArn = args.stream ? table.streamArn : undefined;
    this.kmsKeyArn = args.kmsKeyArn === undefined ? undefined : pulumi.output(args.kmsKeyArn);
    this.nodes = { table };
    this.registerOutputs({ arn: this.arn, tableName: this.tableName, streamArn: this.streamArn });

    function createTable(parent: Table): aws.dynamodb.Table {
      return new aws.dynamodb.Table(
        ...transform(
          args.transform?.table,
          `${name}Table`,
          {
            billingMode: "PAY_PER_REQUEST",
            hashKey: args.partitionKey.name,
            rangeKey: args.sortKey?.name,
            attributes,
            globalSecondaryIndexes: args.globalSecondaryIndexes?.map(globalSecondaryIndex),
            pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? true },
            serverSideEncryption: { enabled: args.serverSideEncryption ?? true, kmsKeyArn: args.kmsKeyArn },
            ttl: args.timeToLiveAttribute ? { enabled: true, attributeName: args.timeToLiveAttribute } : undefined,
            deletionProtectionEnabled: args.deletionProtection ?? false,
            streamEnabled: args.stream !== undefined,
            streamViewType: args.stream,
          },
          { parent },
        ),
      );
    }

    function globalSecondaryIndex(index: GlobalSecondaryIndex): aws.types.input.dynamodb.TableGlobalSecondaryIndex {
      const projection = index.projection ?? "ALL";
      return {
        name: index.name,
        keySchemas: [
          { attributeName: index.partitionKey.name, keyType: "HASH" },
          ...(index.sortKey ? [{ attributeName: index.sortKey.name, keyType: "RANGE" }] : []),
        ],
        projectionType: typeof projection === "string" ? projection : "INCLUDE",
        nonKeyAttributes: typeof projection === "string" ? undefined : [...projection],
      };
    }
  }
}

/** Checks the options; returns the key attributes, each declared once with its one type. */
function validate(component: string, args: TableArgs): { name: string; type: AttributeType }[] {
  if (args.kmsKeyArn !== undefined && args.serverSideEncryption === false) {
    throw new ComponentArgumentError(
      component,
      "`kmsKeyArn` needs `serverSideEncryption`, but `serverSideEncryption: false` was provided. Remove one of them.",
    );
  }
  requireKey(component, "partitionKey", args.partitionKey);
  if (args.sortKey) {
    requireKey(component, "sortKey", args.sortKey);
    if (args.sortKey.name === args.partitionKey.name) {
      throw new ComponentArgumentError(
        component,
        `\`sortKey.name\` must differ from \`partitionKey.name\`, but both are "${args.sortKey.name}".`,
      );
    }
  }
  const indexes = args.globalSecondaryIndexes ?? [];
  if (indexes.length > 20) {
    throw new ComponentArgumentError(
      component,
      `\`globalSecondaryIndexes\` can hold at most 20 indexes, but ${indexes.length} were provided.`,
    );
  }
  const seen = new Set<string>();
  indexes.forEach((index, i) => {
    const option = `globalSecondaryIndexes[${i}]`;
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(index.name)) {
      throw new ComponentArgumentError(
        component,
        `\`${option}.name\` must be 3 to 255 characters of a-z, A-Z, 0-9, "_", "-" or ".", but "${index.name}" was provided.`,
      );
    }
    if (seen.has(index.name)) {
      throw new ComponentArgumentError(
        component,
        `\`${option}.name\` "${index.name}" is used by another index; index names must be unique.`,
      );
    }
    seen.add(index.name);
    requireKey(component, `${option}.partitionKey`, index.partitionKey);
    if (index.sortKey) requireKey(component, `${option}.sortKey`, index.sortKey);
    if (Array.isArray(index.projection) && index.projection.length === 0) {
      throw new ComponentArgumentError(
        component,
        `\`${option}.projection\` lists no attributes; use "KEYS_ONLY" to project only the keys.`,
      );
    }
  });
  if (args.timeToLiveAttribute !== undefined && args.timeToLiveAttribute.trim() === "") {
    throw new ComponentArgumentError(component, "`timeToLiveAttribute` must name an attribute, but an empty string was provided.");
  }
  return keyAttributes(component, args);
}

function requireKey(component: string, option: string, key: TableKey | undefined): void {
  if (!key || typeof key.name !== "string" || key.name.length === 0) {
    throw new ComponentArgumentError(component, `\`${option}.name\` must name an attribute.`);
  }
  if (!["S", "N", "B"].includes(key.type)) {
    throw new ComponentArgumentError(
      component,
      `\`${option}.type\` must be "S", "N" or "B", but ${JSON.stringify(key.type)} was provided.`,
    );
  }
}

// DynamoDB declares each key attribute once, so an attribute shared by the table and an index needs one type.
function keyAttributes(component: string, args: TableArgs): { name: string; type: AttributeType }[] {
  const types = new Map<string, AttributeType>();
  const keys: [string, TableKey | undefined][] = [
    ["partitionKey", args.partitionKey],
    ["sortKey", args.sortKey],
    ...(args.globalSecondaryIndexes ?? []).flatMap((index, i): [string, TableKey | undefined][] => [
      [`globalSecondaryIndexes[${i}].partitionKey`, index.partitionKey],
      [`globalSecondaryIndexes[${i}].sortKey`, index.sortKey],
    ]),
  ];
  for (const [option, key] of keys) {
    if (!key) continue;
    const known = types.get(key.name);
    if (known !== undefined && known !== key.type) {
      throw new ComponentArgumentError(
        component,
        `attribute "${key.name}" is typed "${known}" by an earlier key but "${key.type}" by \`${option}\`; give it one type.`,
      );
    }
    types.set(key.name, key.type);
  }
  return [...types].map(([name, type]) => ({ name, type }));
}

/** A table of another stack, known by its attributes; it creates nothing. */
class ImportedTable extends TableBase {
  readonly arn: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  readonly streamArn?: pulumi.Output<string>;
  readonly kmsKeyArn?: pulumi.Output<string>;

  constructor(name: string, attributes: TableAttributes, opts?: pulumi.ComponentResourceOptions) {
    super("orderflow:data:ImportedTable", name, opts);
    this.arn = pulumi.output(attributes.arn);
    this.tableName = pulumi.output(attributes.tableName);
    this.streamArn = attributes.streamArn === undefined ? undefined : pulumi.output(attributes.streamArn);
    this.kmsKeyArn = attributes.kmsKeyArn === undefined ? undefined : pulumi.output(attributes.kmsKeyArn);
    this.registerOutputs({ arn: this.arn, tableName: this.tableName, streamArn: this.streamArn });
  }
}
