import { strict as assert } from "node:assert";
import { chmodSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { RestApi } from "../../../../components/rest-api";
import { UserPool } from "../../../../components/user-pool";
import { Activity } from "../../../../localcloud/kernel/activity";
import { customerIdProblem } from "../../../../localcloud/app/customers";
import { LocalApiAccess } from "../../../../localcloud/services/apigateway/access";
import { LocalRestApi } from "../../../../localcloud/services/apigateway/rest-api";
import { Clock } from "../../../../localcloud/kernel/clock";
import type { RestApiSpec } from "../../../../localcloud/services/apigateway/spec";
import { LambdaService } from "../../../../localcloud/services/lambda/service";
import { runTokenCommand } from "../../../../ops/commands/local/token-command";
import { createTokenSecret, localTokenEndpoint, TOKEN_SECRET_HEADER, tokenSecretFile } from "../../../../localcloud/services/apigateway/token-endpoint";
import { testFunction } from "../../../helpers/doubles";
import { mockRun, type MockedRun } from "../../../helpers/pulumi";
import { functionSpec } from "../../../helpers/local-specs";

const ACCOUNT = "123456789012";

// The orders API's access as the orders stack declares it: a pool with a storefront and a back-office client, an
// authorizer on POST /orders, and a usage plan with an API key per client.
function program() {
  const pool = new UserPool("customers", {
    domainPrefix: "orderflow-test-123456789012",
    resourceServers: [{ identifier: "orders", scopes: { read: "Read any order", write: "Place orders" } }],
  });
  const storefront = pool.addWebClient("storefront", { callbackUrls: ["http://localhost:3000/"], accessTokenMinutes: 15 });
  const backOffice = pool.addMachineClient("backOffice", { scopes: ["orders/read", "orders/write"] });
  const api = new RestApi("orders", {
    routes: [{ method: "POST", path: "/orders", function: testFunction("placeOrder"), authorizationScopes: ["aws.cognito.signin.user.admin", "orders/write"] }],
    authorizer: { userPoolArns: [pool.arn] },
    clients: { storefront: { rateLimit: 10, burstLimit: 20, dailyQuota: 1000 }, backOffice: { rateLimit: 5, burstLimit: 10, dailyQuota: 1000 } },
  });
  return { storefrontClientId: storefront.id, backOfficeClientId: backOffice.id, storefrontApiKeyId: api.apiKeyIds.storefront, backOfficeApiKeyId: api.apiKeyIds.backOffice };
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The checkout the command reads the run's secret from: a temporary one, where the cloud below writes its secret.
const ROOT = mkdtempSync(path.join(tmpdir(), "orderflow-token-root-"));

async function token(argv: string[], root = ROOT): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCommand(argv, { write: (t) => out.push(t), writeError: (t) => err.push(t), root });
  return { code, out, err };
}

describe("orderflow local token", function () {
  this.timeout(20_000);

  it("says no local cloud runs on the port, and how to start one (exit 2)", async () => {
    const port = await freePort();
    const { code, out, err } = await token(["--env", "dev", "--customer", "cust-1", "--port", String(port)]);
    assert.equal(code, 2);
    assert.deepEqual(out, []);
    assert.match(err.join("\n"), new RegExp(`no local cloud is running on 127\\.0\\.0\\.1:${port}`));
    assert.match(err.join("\n"), /npm run local/);
  });

  it("refuses a request naming neither --customer nor --scope, or both (exit 2)", async () => {
    assert.equal((await token(["--env", "dev"])).code, 2);
    assert.equal((await token(["--env", "dev", "--customer", "c", "--scope", "orders/read"])).code, 2);
  });

  describe("with a local cloud running", () => {
    let run: MockedRun;
    let api: LocalRestApi;
    let lambda: LambdaService;
    let port = 0;
    let secret = "";
    before(async () => {
      run = await mockRun(program);
      const dir = mkdtempSync(path.join(tmpdir(), "orderflow-token-"));
      writeFileSync(path.join(dir, "index.js"), `exports.echo = async (event) => ({ statusCode: 201, body: JSON.stringify(event.requestContext) });`);
      const functionArn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`;
      lambda = new LambdaService(
        [functionSpec("echo", dir, "index.echo", { tracing: "PassThrough" })],
        { clock: new Clock(1), activity: new Activity(), variablesOf: (s) => ({ _HANDLER: s.handler, LAMBDA_TASK_ROOT: s.codeDir }), logOf: () => () => undefined, destinations: async () => undefined },
      );
      // The API's spec as the graph gives it, with the recorded ids its access is read by.
      const restApi = run.one("aws:apigateway/restApi:RestApi");
      const method = run.one("aws:apigateway/method:Method");
      const spec: RestApiSpec = {
        stack: "dev.test",
        component: "orders",
        urn: restApi.urn,
        id: String(restApi.id),
        name: restApi.name,
        stageName: String(run.one("aws:apigateway/stage:Stage").inputs.stageName),
        executionArn: String(restApi.outputs.executionArn),
        tracing: false,
        routes: [
          {
            httpMethod: "POST",
            resourcePath: "/orders",
            resourceId: String(method.inputs.resourceId),
            authorization: String(method.inputs.authorization),
            authorizerId: String(method.inputs.authorizerId),
            authorizationScopes: method.inputs.authorizationScopes as string[],
            apiKeyRequired: method.inputs.apiKeyRequired === true,
            validateBody: false,
            validateParameters: false,
            requestParameters: {},
            requestSchemas: {},
            integration: { type: "AWS_PROXY", functionArn, timeoutMs: 29000 },
          },
        ],
        gatewayResponses: {},
      };
      const access = LocalApiAccess.fromResources(run.resources, [spec], [run.outputs], customerIdProblem);
      secret = createTokenSecret(tokenSecretFile(ROOT, "dev"));
      api = new LocalRestApi(spec, lambda, new Activity(), ACCOUNT, () => undefined, { access: access.forApi(spec.id), control: localTokenEndpoint(access, "dev", () => api.url, secret) });
      const url = await api.listen(0);
      port = Number(new URL(url).port);
    });
    after(async () => {
      await api.close();
      await lambda.stop();
    });

    it("prints the customer's token alone on stdout and the storefront's API key on stderr; the API accepts both", async () => {
      const { code, out, err } = await token(["--env", "dev", "--customer", "cust-1", "--port", String(port)]);
      assert.equal(code, 0, err.join("\n"));
      assert.equal(out.length, 1);
      assert.match(out[0], /^[\w-]+\.[\w-]+\.[\w-]+$/, "a JWT, nothing else");
      const apiKey = /x-api-key: ([A-Za-z0-9]{40})/.exec(err.join("\n"))?.[1];
      assert.ok(apiKey, `the API key is printed: ${err.join("\n")}`);
      assert.match(err.join("\n"), /storefront API key/);

      const placed = await fetch(`${api.url}/orders`, { method: "POST", headers: { authorization: `Bearer ${out[0]}`, "x-api-key": apiKey, "content-type": "application/json" }, body: "{}" });
      assert.equal(placed.status, 201);
      const context = (await placed.json()) as { authorizer: { claims: Record<string, string> } };
      assert.equal(context.authorizer.claims.sub, "cust-1");
      assert.equal(context.authorizer.claims.scope, "aws.cognito.signin.user.admin");
      const keyless = await fetch(`${api.url}/orders`, { method: "POST", headers: { authorization: `Bearer ${out[0]}` }, body: "{}" });
      assert.equal(keyless.status, 403, "the token alone is not enough");
    });

    it("gives the back-office client a token with the asked scopes, and its own API key, as JSON with --json", async () => {
      const { code, out } = await token(["--env", "dev", "--scope", "orders/write", "--port", String(port), "--json"]);
      assert.equal(code, 0);
      const answer = JSON.parse(out.join("\n")) as { accessToken: string; scope: string; clientName: string; apiKey: { name: string; value: string }; expiresIn: number; env: string };
      assert.equal(answer.scope, "orders/write");
      assert.equal(answer.clientName, "backOffice");
      assert.equal(answer.apiKey.name, "backOffice");
      assert.equal(answer.env, "dev");
      const placed = await fetch(`${api.url}/orders`, { method: "POST", headers: { authorization: `Bearer ${answer.accessToken}`, "x-api-key": answer.apiKey.value }, body: "{}" });
      assert.equal(placed.status, 201);
    });

    it("says which environment runs when asked for another, and names a refused request's problem (exit 2)", async () => {
      const other = await token(["--env", "staging", "--customer", "cust-1", "--port", String(port)]);
      assert.equal(other.code, 2);
      assert.match(other.err.join("\n"), /runs dev, not staging/);
      const badCustomer = await token(["--env", "dev", "--customer", "jane@example.com", "--port", String(port)]);
      assert.equal(badCustomer.code, 2);
      assert.match(badCustomer.err.join("\n"), /"jane@example\.com" is not a customer id/);
      const badScope = await token(["--env", "dev", "--scope", "orders/delete", "--port", String(port)]);
      assert.equal(badScope.code, 2);
      assert.match(badScope.err.join("\n"), /may not be granted orders\/delete/);
    });

    /** A raw request to the token endpoint, with the Host and headers given (fetch cannot set Host). */
    function post(headers: Record<string, string>): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const body = JSON.stringify({ customer: "cust-1" });
        const req = http.request({ host: "127.0.0.1", port, method: "POST", path: "/_local/tokens", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        });
        req.on("error", reject);
        req.end(body);
      });
    }

    it("mints a token only with this run's secret, which the command reads from a file only the user can read (0600)", async () => {
      assert.equal(statSync(tokenSecretFile(ROOT, "dev")).mode & 0o777, 0o600);
      const without = await post({ host: `127.0.0.1:${port}` });
      assert.equal(without.status, 401, without.body);
      assert.match(without.body, /x-orderflow-local-secret/);
      const wrong = await post({ host: `127.0.0.1:${port}`, [TOKEN_SECRET_HEADER]: "guessed" });
      assert.equal(wrong.status, 401);
      const right = await post({ host: `127.0.0.1:${port}`, [TOKEN_SECRET_HEADER]: secret });
      assert.equal(right.status, 200, right.body);
      // A checkout without this run's secret gets no token, and is told why.
      const elsewhere = await token(["--env", "dev", "--customer", "cust-1", "--port", String(port)], mkdtempSync(path.join(tmpdir(), "orderflow-token-other-")));
      assert.equal(elsewhere.code, 2);
      assert.match(elsewhere.err.join("\n"), /asks for its run's secret, and .*token-secret does not exist/);
    });

    it("refuses a secret file others may read, rather than send what is no longer a secret", async () => {
      const other = mkdtempSync(path.join(tmpdir(), "orderflow-token-open-"));
      createTokenSecret(tokenSecretFile(other, "dev"));
      chmodSync(tokenSecretFile(other, "dev"), 0o644);
      const { code, err } = await token(["--env", "dev", "--customer", "cust-1", "--port", String(port)], other);
      assert.equal(code, 2);
      assert.match(err.join("\n"), /may be read or written by other users \(mode 644\): it must be 0600/);
    });

    it("answers requests addressed to a loopback name only: a rebound DNS name gets no token even with the secret", async () => {
      for (const host of ["evil.example", `evil.example:${port}`, `192.168.1.20:${port}`]) {
        const rebound = await post({ host, [TOKEN_SECRET_HEADER]: secret });
        assert.equal(rebound.status, 403, host);
        assert.match(rebound.body, /DNS rebinding/);
      }
      for (const host of [`localhost:${port}`, `[::1]:${port}`, "127.0.0.1"]) assert.equal((await post({ host, [TOKEN_SECRET_HEADER]: secret })).status, 200, host);
    });

    it("serves tokens to JSON POSTs only (a web page cannot send one cross-origin without a preflight)", async () => {
      const form = await fetch(`http://127.0.0.1:${port}/_local/tokens`, { method: "POST", headers: { "content-type": "text/plain" }, body: '{"customer":"cust-1"}' });
      assert.equal(form.status, 415);
      const get = await fetch(`http://127.0.0.1:${port}/_local/tokens`);
      assert.equal(get.status, 405);
    });
  });
});
