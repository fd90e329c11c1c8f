import { serviceModule } from "../../service-module";
import { lambda } from "../lambda";
import { xray } from "../xray";
import { LocalApiAccess } from "./access";
import { LocalRestApi } from "./rest-api";
import { rmSync } from "node:fs";
import { createTokenSecret, localTokenEndpoint, tokenSecretFile } from "./token-endpoint";

/** API Gateway: the graph's REST APIs, each on its own port, and who may call them (tokens, API keys). */
export class ApiGatewayService {
  constructor(
    /** The token issuers, authorizers and API keys of this run. */
    readonly access: LocalApiAccess,
    readonly apis: readonly LocalRestApi[],
  ) {}
}

export const apigateway = serviceModule<ApiGatewayService>({
  name: "apigateway",
  icon: "⇄",
  build: (cloud) => {
    const { graph } = cloud;
    // Tokens and API keys: issuers with keys made for this run, the APIs' authorizers and usage plans, and the
    // local-only token endpoint on the first API's port (what `orderflow local token` calls).
    const access = LocalApiAccess.fromGraph(graph, cloud.stackOutputs);
    // The token endpoint's secret, made for this run in a file only the user can read (`orderflow local token` reads it).
    const secret = createTokenSecret(tokenSecretFile(cloud.root, cloud.env));
    const apis: LocalRestApi[] = graph.restApis.map(
      (spec, i) =>
        new LocalRestApi(spec, cloud.service(lambda), cloud.activity, graph.cloud.account, cloud.logs.writer(`${spec.component}-access`), {
          access: access.forApi(spec.id),
          xray: cloud.service(xray),
          ...(i === 0 ? { control: localTokenEndpoint(access, cloud.env, () => apis[0].url, secret) } : {}),
        }),
    );
    return new ApiGatewayService(access, apis);
  },
  start: async (service, cloud) => {
    const close = async () => {
      await Promise.all(service.apis.map((a) => a.close()));
      rmSync(tokenSecretFile(cloud.root, cloud.env), { force: true });
    };
    try {
      for (const [i, api] of service.apis.entries()) await api.listen(i === 0 ? cloud.port : 0);
    } catch (error) {
      await close();
      throw error;
    }
    return close;
  },
});
