// Stands in for `@smithy/core/event-streams` in every Lambda bundle (see LAMBDA_ALIASES in ../bundle.ts).
//
// Who asks for it: `HttpProtocol.loadEventStreamCapability()` in @smithy/core/protocols, by a dynamic
// `import("@smithy/core/event-streams")`, which esbuild bundles like any import (~14 KiB: the event-stream codec, its
// header marshaller, the serde). That method runs only from `serializeEventStream` / `deserializeEventStream`, i.e.
// only for an operation whose input or output has an event-stream member (like Bedrock's InvokeModelWithResponseStream
// or Transcribe's streaming). The clients the handlers use (DynamoDB, EventBridge, SQS, SES v2, Pinpoint SMS Voice v2)
// have no such operation, so a function never reaches it. Should one ever do, the call fails with this module's name
// instead of a half-decoded stream.
function unavailable(name: string): never {
  throw new Error(
    `${name} is not in this Lambda bundle: components/lambda-bundle-aliases/smithy-event-streams.ts replaces ` +
      `@smithy/core/event-streams, because no client the handlers use has an event-stream operation. Remove the alias ` +
      `from LAMBDA_ALIASES for a client that has one.`,
  );
}

export class EventStreamSerde {
  constructor() {
    unavailable("EventStreamSerde");
  }
}

export const eventStreamSerdeProvider = (): never => unavailable("eventStreamSerdeProvider");
