import { strict as assert } from "node:assert";
import { InProgressHorizon } from "../../../../localcloud/services/lambda/in-progress-horizon";

describe("local cloud: until when a message's idempotency record may be in progress", () => {
  it("while an invocation holds the message, until its deadline; once it answered, no longer; if it died, until its deadline", () => {
    const horizon = new InProgressHorizon();
    const first = horizon.take(["m-1", "m-2"], 5_000);
    assert.equal(horizon.notBefore("m-1", 1_000), 5_000, "a copy failing meanwhile waits for the running invocation");
    assert.equal(horizon.notBefore("m-3", 1_000), 0, "another message owes nothing");
    horizon.end(first, { died: false, deadline: 4_000 });
    assert.equal(horizon.notBefore("m-1", 1_000), 0, "the invocation answered: its records are completed or released");
    const second = horizon.take(["m-1"], 9_000);
    horizon.end(second, { died: true, deadline: 8_000 });
    assert.equal(horizon.notBefore("m-1", 2_000), 8_000, "the environment died: the record stays in progress until the deadline it saw");
    assert.equal(horizon.notBefore("m-1", 8_000), 0, "and not after");
  });

  it("takes the latest deadline of every invocation holding a copy", () => {
    const horizon = new InProgressHorizon();
    horizon.take(["m-1"], 3_000);
    horizon.take(["m-1"], 7_000);
    assert.equal(horizon.notBefore("m-1", 1_000), 7_000);
  });
});
