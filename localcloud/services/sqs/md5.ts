import { createHash } from "node:crypto";

/** A message attribute as SQS's JSON protocol carries it. */
export interface MessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  /** Base64, as the JSON protocol sends blobs. */
  readonly BinaryValue?: string;
}

export function md5OfBody(body: string): string {
  return createHash("md5").update(body, "utf8").digest("hex");
}

/**
 * The MD5 of a message's attributes as SQS computes it (SQS developer guide, "Calculating the MD5 message digest for
 * message attributes"): attributes sorted by name; for each, the name, the data type and the value, each preceded by
 * its length as a 4-byte big-endian integer, with a transport byte (1 for String and Number, 2 for Binary) before the
 * value. Undefined when there are no attributes, as SQS omits the field.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>> | undefined): string | undefined {
  const names = Object.keys(attributes ?? {}).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    const value = attributes![name];
    lengthPrefixed(Buffer.from(name, "utf8"));
    lengthPrefixed(Buffer.from(value.DataType, "utf8"));
    if (value.DataType.startsWith("Binary")) {
      parts.push(Buffer.from([2]));
      lengthPrefixed(Buffer.from(value.BinaryValue ?? "", "base64"));
    } else {
      parts.push(Buffer.from([1]));
      lengthPrefixed(Buffer.from(value.StringValue ?? "", "utf8"));
    }
  }
  return createHash("md5").update(Buffer.concat(parts)).digest("hex");
}
