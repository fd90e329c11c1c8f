/**
 * What a call costs in AWS's billing units, as the local cloud measures it: `lambda.requests`, `lambda.gbSeconds.arm64`,
 * `sqs.requests.standard`, `dynamodb.writeRequestUnits`... (the keys of ops/cost/prices.json's `usage` names). Each
 * service reports its calls' usage where it serves them; the cost command prices the sums.
 */
export type Usage = Readonly<Record<string, number>>;

/** A listener of usage reports. */
export type UsageListener = (usage: Usage) => void;

const KIB_64 = 64 * 1024;

/**
 * How many requests a payload is billed as where AWS bills "each 64 KB chunk of a payload" as one request: SQS
 * (https://aws.amazon.com/sqs/pricing/), SNS publishes (https://aws.amazon.com/sns/pricing/), EventBridge events and
 * Pipes requests (https://aws.amazon.com/eventbridge/pricing/). An empty payload is still one request.
 */
export function chunksOf64KiB(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / KIB_64));
}

/**
 * The size EventBridge bills a PutEvents entry by: the UTF-8 bytes of Source, DetailType, Detail and each Resources
 * ARN, plus 14 bytes when Time is set (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
 */
export function putEventsEntrySize(entry: { Source?: string; DetailType?: string; Detail?: string; Resources?: readonly string[]; Time?: unknown }): number {
  const bytes = (s: string | undefined) => (s ? Buffer.byteLength(s, "utf8") : 0);
  return (entry.Time !== undefined ? 14 : 0) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + (entry.Resources ?? []).reduce((n, r) => n + bytes(r), 0);
}

// GSM 03.38's basic character set and its extension table (each extension character takes two septets).
const GSM_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENSION = "^{}\\[~]|€\f";

/**
 * How many message parts an SMS is billed as: up to 160 GSM-7 characters (153 per part when split) or 70 UCS-2
 * characters (67 per part) — AWS bills each part (https://docs.aws.amazon.com/sms-voice/latest/userguide/sms-limitations-character.html).
 */
export function smsParts(text: string): number {
  const characters = [...text];
  const gsm = characters.every((c) => GSM_BASIC.includes(c) || GSM_EXTENSION.includes(c));
  if (gsm) {
    const septets = characters.reduce((n, c) => n + (GSM_EXTENSION.includes(c) ? 2 : 1), 0);
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  const units = text.length; // UTF-16 code units, as UCS-2 counts them
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/** The ISO country an E.164 number is in, for SMS prices by country; the country codes the stacks' simulators use. */
export function smsCountryOf(e164: string): string {
  // North American Numbering Plan numbers (+1) are US or Canada; the simulator numbers are US.
  const prefixes: readonly (readonly [string, string])[] = [
    ["+1", "US"],
    ["+44", "GB"],
    ["+49", "DE"],
    ["+33", "FR"],
    ["+61", "AU"],
  ];
  return prefixes.find(([p]) => e164.startsWith(p))?.[1] ?? "OTHER";
}

/** Sums usage reports. */
export function addUsage(into: Record<string, number>, usage: Usage): void {
  for (const [key, amount] of Object.entries(usage)) into[key] = (into[key] ?? 0) + amount;
}
