import type { LocalApiAccess } from "./access";
import type { LocalRestApi } from "./rest-api";

/** API Gateway: the graph's REST APIs, each on its own port, and who may call them (tokens, API keys). */
export class ApiGatewayService {
  constructor(
    /** The token issuers, authorizers and API keys of this run. */
    readonly access: LocalApiAccess,
    readonly apis: readonly LocalRestApi[],
  ) {}
}
