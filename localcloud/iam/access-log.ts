/** One decision the local IAM made, and how often it made it. */
export interface RecordedDecision {
  readonly action: string;
  readonly resource: string;
  /** `aws:SourceArn` of a service's delivery (the rule, topic or pipe it acts for). */
  readonly sourceArn?: string;
  readonly allowed: boolean;
  readonly count: number;
}

/** Every decision for one principal: a role of the graph, or a service principal (`events.amazonaws.com`). */
export interface PrincipalDecisions {
  /** The role's ARN, or the service principal. */
  readonly principal: string;
  /** The component the role belongs to (`createShipment`, `newOrders`), or the service principal. */
  readonly name: string;
  readonly decisions: readonly RecordedDecision[];
}

/**
 * What `orderflow local ... --scenario` writes to `.orderflow/local/<env>/access.json`: each principal's decided
 * actions and resources, allowed or denied, over the run. `orderflow access` reads it as what the scenarios used.
 */
export interface AccessRecord {
  readonly env: string;
  /** When the record was taken (ISO 8601). */
  readonly recordedAt: string;
  /** The scenarios that ran. */
  readonly scenarios: readonly string[];
  readonly principals: readonly PrincipalDecisions[];
}

/**
 * The local IAM's record of use: every decision, per principal (functions' and the worker's roles, the pipe's, the
 * saga's, and the services' deliveries), counted. The operator's session (scenarios, tools) is not recorded: it is
 * this machine's administrator, no principal of the environment.
 */
export class AccessLog {
  private readonly byPrincipal = new Map<string, { name: string; decisions: Map<string, { decision: Omit<RecordedDecision, "count">; count: number }> }>();

  constructor(private readonly ignored: ReadonlySet<string> = new Set()) {}

  record(principal: string, name: string, decision: Omit<RecordedDecision, "count">): void {
    if (this.ignored.has(principal)) return;
    const entry = this.byPrincipal.get(principal) ?? { name, decisions: new Map() };
    this.byPrincipal.set(principal, entry);
    const key = JSON.stringify([decision.action, decision.resource, decision.sourceArn ?? null, decision.allowed]);
    const seen = entry.decisions.get(key);
    if (seen) seen.count += 1;
    else entry.decisions.set(key, { decision, count: 1 });
  }

  /** The decisions so far, by principal, sorted for a stable file. */
  principals(): PrincipalDecisions[] {
    return [...this.byPrincipal]
      .map(([principal, { name, decisions }]) => ({
        principal,
        name,
        decisions: [...decisions.values()]
          .map(({ decision, count }) => ({ ...decision, count }))
          .sort((a, b) => `${a.action} ${a.resource}`.localeCompare(`${b.action} ${b.resource}`)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The record of a run: what `access.json` holds. */
  toRecord(env: string, scenarios: readonly string[], at: Date = new Date()): AccessRecord {
    return { env, recordedAt: at.toISOString(), scenarios: [...scenarios], principals: this.principals() };
  }
}
