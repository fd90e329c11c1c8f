import { strict as assert } from "node:assert";
import * as semver from "../../components/lambda-bundle-aliases/semver";
import * as eventStreams from "../../components/lambda-bundle-aliases/smithy-event-streams";

// The stand-ins replace modules the functions never call; if one ever is called, it must say so, not answer.
describe("components/lambda-bundle-aliases stand-ins", () => {
  it("semver.gte (the X-Ray SDK's AWS SDK v2 patcher) fails naming the stand-in", () => {
    assert.throws(() => semver.gte(), /semver\.gte\(\) is not in this Lambda bundle: .*lambda-bundle-aliases\/semver\.ts/);
  });

  it("the event-stream serde fails naming the stand-in, whichever export is used", () => {
    assert.throws(() => new eventStreams.EventStreamSerde(), /EventStreamSerde is not in this Lambda bundle: .*smithy-event-streams\.ts/);
    assert.throws(() => eventStreams.eventStreamSerdeProvider(), /eventStreamSerdeProvider is not in this Lambda bundle/);
  });
});
