import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Need } from "./need";

/**
 * Names the program's call behind a grant policy. `grant()` (components/grant.ts) names each policy
 * `<grantee>-<grantId>`, and the components' `grant<Verb>(grantee)` methods use `<verb>-<resource>` as the id, so
 * `placeOrder-readwrite-orders` was made by `orders.grantReadWrite(placeOrder)`. The methods are read from the
 * components, not listed; a policy no method made (`placeOrder-xray`) is named as the component's own grant.
 */
export class GrantCalls {
  private readonly methods: readonly string[];

  constructor(componentsDir: string) {
    const found = new Set<string>();
    for (const file of readdirSync(componentsDir).filter((f) => f.endsWith(".ts"))) {
      for (const m of readFileSync(path.join(componentsDir, file), "utf8").matchAll(/^\s+(grant[A-Z]?\w*)\(grantee\b/gm)) found.add(m[1]);
    }
    this.methods = [...found];
  }

  /** `orders.grantReadWrite(placeOrder)`, or `the "xray" grant of placeOrder` for a component's own policy. */
  callOf(policyName: string, principal: string): string {
    const parts = policyName.split("-");
    for (let i = 1; i < parts.length; i++) {
      const method = this.methods.find((m) => m.toLowerCase() === (parts[i] === "grant" ? "grant" : `grant${parts[i]}`.toLowerCase()));
      if (method && i < parts.length - 1) return `${parts.slice(i + 1).join("-")}.${method}(${parts.slice(0, i).join("-")})`;
    }
    return `the "${parts.slice(1).join("-") || policyName}" grant of ${principal} (policy ${policyName})`;
  }

  /** A hint for an ungranted need: which grant methods exist for its service. */
  hintFor(need: Need, principal: string): string {
    const service = need.action.split(":")[0];
    return `; grant it where ${principal} is wired (a \`grant*\` method of the ${service} resource's component)`;
  }
}
