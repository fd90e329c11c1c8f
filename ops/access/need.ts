/** One action on one resource that a principal needs, and why. */
export interface Need {
  /** `dynamodb:GetItem`. */
  readonly action: string;
  /** The resource's ARN (`*` for actions without resource-level permissions). */
  readonly resource: string;
  /** Who asks for it: `code handlers/orders/get-order.ts:30`, `Lambda: event source mapping of shipping`. */
  readonly why: string;
}

/** A value the analysis could not turn into a resource: the verdict reports it instead of guessing. */
export interface Unresolved {
  readonly action: string;
  readonly why: string;
  readonly problem: string;
}
