import { strict as assert } from "node:assert";
import { execFile, execFileSync } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { builtinModules, createRequire, SourceMap } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BundleError, bundleHandler, forgetBundle, DEFAULT_HANDLERS_ROOT, hashFiles } from "../../components/bundle";

const REPO = path.resolve(__dirname, "..", "..");
const FIXTURES = path.join(REPO, "tests", "fixtures", "handlers");

function requiredModules(js: string): string[] {
  return [...new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))];
}

const tempRoots: string[] = [];
function tempRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "orderflow-bundle-"));
  tempRoots.push(root);
  return root;
}

describe("components/bundle bundleHandler", () => {
  after(() => {
    for (const root of tempRoots) fs.rmSync(root, { recursive: true, force: true });
  });

  it("gives the same bytes and hash when the same code is bundled again from scratch", () => {
    const first = bundleHandler({ handler: "get-order.ts", handlersRoot: FIXTURES });
    forgetBundle({ handler: "get-order.ts", handlersRoot: FIXTURES });
    const second = bundleHandler({ handler: "get-order.ts", handlersRoot: FIXTURES });
    assert.notEqual(first, second, "the second bundle must be a fresh build");
    assert.deepEqual(second.files, first.files);
    assert.equal(second.hash, first.hash);
    assert.equal(first.hash, hashFiles(first.files));
  });

  it("gives the same hash wherever the checkout lives (no build-machine path in the output)", () => {
    const [a, b] = [tempRoot(), path.join(tempRoot(), "somewhere", "else")];
    fs.mkdirSync(b, { recursive: true });
    for (const root of [a, b]) fs.copyFileSync(path.join(FIXTURES, "echo.ts"), path.join(root, "echo.ts"));
    const here = bundleHandler({ handler: "echo.ts", handlersRoot: a });
    const there = bundleHandler({ handler: "echo.ts", handlersRoot: b });
    assert.equal(here.hash, there.hash);
  });

  it("writes no absolute path of this machine into the bundle or its source map", () => {
    const bundle = bundleHandler({ handler: "get-order.ts", handlersRoot: FIXTURES });
    for (const [name, text] of Object.entries(bundle.files)) {
      assert.ok(!text.includes(REPO), `${name} contains ${REPO}`);
      assert.ok(!text.includes(os.homedir()) || os.homedir() === "/", `${name} contains the home directory`);
    }
    const map = JSON.parse(bundle.files["index.js.map"]) as { sources: string[]; sourcesContent?: unknown };
    assert.ok(map.sources.includes("get-order.ts"), "sources are relative to the handlers root");
    assert.ok(map.sources.every((source) => !path.isAbsolute(source)), "every source path is relative");
  });

  it("gives a different hash when the code changes, and rebuilds even after a cached build", () => {
    const root = tempRoot();
    const file = path.join(root, "handler.ts");
    fs.writeFileSync(file, "export const handler = async () => 'v1';\n");
    const before = bundleHandler({ handler: "handler.ts", handlersRoot: root });
    fs.writeFileSync(file, "export const handler = async () => 'v2';\n");
    const after = bundleHandler({ handler: "handler.ts", handlersRoot: root });
    assert.notEqual(after.hash, before.hash);
    assert.match(after.files["index.js"], /v2/);
  });

  it("archives the files as a directory named by their hash, so the engine receives a path, not the bytes", async () => {
    const bundle = bundleHandler({ handler: "echo.ts", handlersRoot: FIXTURES });
    const dir = await bundle.archive().path;
    assert.equal(path.basename(dir), bundle.hash);
    assert.deepEqual(fs.readdirSync(dir).sort(), Object.keys(bundle.files).sort());
    for (const [name, text] of Object.entries(bundle.files)) assert.equal(fs.readFileSync(path.join(dir, name), "utf8"), text);
    assert.equal(await bundleHandler({ handler: "echo.ts", handlersRoot: FIXTURES }).archive().path, dir, "the same files, the same directory");
  });

  it("is a minified CommonJS bundle for Node 24 with a linked source map", () => {
    const bundle = bundleHandler({ handler: "echo.ts", handlersRoot: FIXTURES });
    assert.deepEqual(Object.keys(bundle.files).sort(), ["index.js", "index.js.map"]);
    const js = bundle.files["index.js"];
    assert.match(js, /module\.exports/, "CommonJS, so Lambda loads it as index.handler");
    assert.match(js, /\/\/# sourceMappingURL=index\.js\.map\s*$/);
    assert.ok(js.split("\n").length <= 3, "minified onto a line or two");
    assert.ok(!/\bexport\s/.test(js), "no ES module syntax left");
  });

  it("runs as a CommonJS module exporting the handler", async () => {
    const dir = writeOut(bundleHandler({ handler: "echo.ts", handlersRoot: FIXTURES }).files);
    // Loaded as Lambda's Node runtime loads it: a CommonJS require of index.js.
    const loaded = createRequire(path.join(dir, "index.js"))("./index.js") as { handler: (event: unknown) => Promise<unknown> };
    assert.deepEqual(await loaded.handler({ orderId: "o-1" }), { received: { orderId: "o-1" } });
  });

  it("maps stack traces back to the handler's source with NODE_OPTIONS=--enable-source-maps", () => {
    const dir = writeOut(bundleHandler({ handler: "fail.ts", handlersRoot: FIXTURES }).files);
    const script = "require('./index.js').handler().catch((e) => process.stdout.write(e.stack))";
    const stack = execFileSync(process.execPath, ["-e", script], {
      cwd: dir,
      env: { ...process.env, NODE_OPTIONS: "--enable-source-maps" },
      encoding: "utf8",
    });
    assert.match(stack, /payment declined/);
    assert.match(stack, /fail\.ts:3:\d+/, `the stack points at fail.ts line 3:\n${stack}`);
  });

  it("maps the project's own code only: a frame inside a package keeps its place in index.js, not a handler's", () => {
    const bundle = bundleHandler({ handler: "get-order.ts", handlersRoot: FIXTURES });
    const js = bundle.files["index.js"];
    const map = JSON.parse(bundle.files["index.js.map"]) as { sources: string[] };
    assert.ok(map.sources.includes("get-order.ts"));
    assert.deepEqual(map.sources.filter((source) => source.includes("node_modules")), [], "no package in the map");
    const sourceMap = new SourceMap(JSON.parse(bundle.files["index.js.map"]));
    const at = (text: string) => {
      const offset = js.indexOf(text);
      assert.ok(offset >= 0, `${text} is in the bundle`);
      const before = js.slice(0, offset).split("\n");
      return sourceMap.findEntry(before.length - 1, before[before.length - 1].length) as { originalSource?: string };
    };
    assert.equal(at("ORDER#").originalSource, "get-order.ts", "the handler's code is mapped");
    assert.equal(at("DynamoDB_20120810").originalSource, undefined, "the SDK's code is left unmapped");
  });

  it("bundles the AWS SDK v3 client instead of leaving it to the runtime", () => {
    const bundle = bundleHandler({ handler: "get-order.ts", handlersRoot: FIXTURES });
    const js = bundle.files["index.js"];
    assert.ok(js.includes("DynamoDB_20120810"), "the DynamoDB client's protocol code is inside the bundle");
    // Left as require(): Node built-ins, and optional packages the SDK loads inside try/catch when they are installed
    // (they are not, so they could not have been bundled).
    for (const specifier of requiredModules(js)) {
      const builtin = specifier.startsWith("node:") || builtinModules.includes(specifier);
      assert.ok(builtin || !isInstalled(specifier), `require("${specifier}") was left out of the bundle`);
    }
  });

  it("signs AWS calls with the credentials Lambda puts in the environment, and reads credentials from nowhere else", async () => {
    const dir = writeOut(bundleHandler({ handler: "get-order.ts", handlersRoot: FIXTURES }).files);
    // A shared credentials file with another key: the SDK's full default chain would fall back to it.
    const home = tempRoot();
    fs.mkdirSync(path.join(home, ".aws"));
    fs.writeFileSync(path.join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKIAFROMFILE\naws_secret_access_key = file\n");
    const received: string[] = [];
    const server = http.createServer((request, response) => {
      received.push(String(request.headers.authorization));
      request.resume().on("end", () => response.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}"));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const invoke = async (credentials: Record<string, string>) => {
        const script = "require('./index.js').handler({ orderId: 'o-1' }).then(" +
          "(r) => process.stdout.write('OK ' + JSON.stringify(r)), (e) => process.stdout.write('ERROR ' + e.message))";
        const env = {
          PATH: process.env.PATH ?? "",
          HOME: home,
          AWS_REGION: "us-east-1",
          AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          TABLE_NAME: "orders",
          ...credentials,
        };
        return (await promisify(execFile)(process.execPath, ["-e", script], { cwd: dir, env })).stdout;
      };

      const withRole = await invoke({ AWS_ACCESS_KEY_ID: "ASIAFROMLAMBDA", AWS_SECRET_ACCESS_KEY: "role", AWS_SESSION_TOKEN: "token" });
      assert.equal(withRole, "OK null");
      assert.match(received[0], /Credential=ASIAFROMLAMBDA\//, "signed with the environment's key");

      const withoutRole = await invoke({});
      assert.match(withoutRole, /^ERROR No AWS credentials in the environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      assert.equal(received.length, 1, "no request is sent with the shared file's key");
    } finally {
      server.close();
    }
  });

  it("fails on a syntax error with esbuild's message, the location and the handler's path", () => {
    assert.throws(
      () => bundleHandler({ handler: "broken.js", handlersRoot: FIXTURES }),
      (error: Error) => {
        assert.ok(error instanceof BundleError);
        assert.match(error.message, /esbuild could not bundle handler "broken\.js"/);
        assert.ok(error.message.includes(path.join(FIXTURES, "broken.js")));
        assert.match(error.message, /Expected "\}" but found ";"/);
        assert.match(error.message, /broken\.js:3:\d+/);
        return true;
      },
    );
  });

  it("fails on a missing handler file, naming the path and the handlers root", () => {
    assert.throws(
      () => bundleHandler({ handler: "orders/nope.ts", handlersRoot: FIXTURES }),
      (error: Error) =>
        error instanceof BundleError &&
        error.message.includes('"orders/nope.ts"') &&
        error.message.includes(FIXTURES),
    );
  });

  it("refuses a handler path that leaves the handlers root", () => {
    assert.throws(() => bundleHandler({ handler: "../fixtures/handlers/echo.ts", handlersRoot: FIXTURES }), /must be a path relative to the handlers root/);
    assert.throws(() => bundleHandler({ handler: path.join(FIXTURES, "echo.ts"), handlersRoot: FIXTURES }), /must be a path relative/);
  });

  it("resolves handler paths under <repo>/handlers by default", () => {
    assert.equal(DEFAULT_HANDLERS_ROOT, path.join(REPO, "handlers"));
    assert.throws(() => bundleHandler({ handler: "no/such-handler.ts" }), (error: Error) => error.message.includes(path.join(REPO, "handlers")));
  });
});

/** Writes a bundle's files to a fresh directory, as Lambda unpacks them. */
function writeOut(files: Readonly<Record<string, string>>): string {
  const dir = tempRoot();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function isInstalled(specifier: string): boolean {
  try {
    require.resolve(specifier, { paths: [FIXTURES] });
    return true;
  } catch {
    return false;
  }
}
