import { strict as assert } from "node:assert";
import { randomUUID } from "node:crypto";
import { assertValidAsl, type AslDefinition } from "../../components/saga-definition";
import { knownValid, rememberValid } from "../../components/valid-asl-cache";

describe("components/valid-asl-cache", () => {
  const definition = (comment: string) => ({ Comment: comment, StartAt: "Done", States: { Done: { Type: "Succeed" } } });

  it("knows a definition only once it was remembered as valid, and exactly that definition", () => {
    const mine = definition(randomUUID());
    assert.equal(knownValid(mine), false);
    rememberValid(mine);
    assert.equal(knownValid(mine), true);
    assert.equal(knownValid({ ...mine, Comment: `${mine.Comment}!` }), false);
  });

  it("never remembers an invalid definition: it is refused every time", () => {
    const invalid = { Comment: randomUUID(), StartAt: "Missing", States: { Done: { Type: "Succeed" } } } as unknown as AslDefinition;
    assert.throws(() => assertValidAsl(invalid), /not valid ASL/);
    assert.equal(knownValid(invalid), false);
    assert.throws(() => assertValidAsl(invalid), /not valid ASL/);
  });
});
