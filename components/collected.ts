import * as pulumi from "@pulumi/pulumi";

/**
 * Items (plain values or Outputs) several parts of a program contribute to one resource property, fixed when the program's synchronous setup
 * is over.
 *
 * Why: some AWS properties take one value per resource yet are built from many places. An SQS queue has exactly one
 * queue policy (a second `aws.sqs.QueuePolicy` silently replaces the first), but its statements come from the queue
 * itself (TLS-only), every topic that subscribes it and every rule that targets it. Pulumi has no synthesis phase, so
 * the resource is registered at once with an Output that resolves on the next macrotask, after the program's
 * synchronous wiring has run. Adding later is a mistake the program must hear about, so it throws.
 */
export class Collected<T> {
  private readonly items: T[] = [];
  private sealed = false;
  /** Every item contributed during setup; resolves once setup is over. */
  readonly all: pulumi.Output<pulumi.Unwrap<T>[]>;

  /**
   * @param owner names the resource in errors (`Queue "orders"`).
   * @param what names what is collected (`queue policy statements`).
   */
  constructor(
    private readonly owner: string,
    private readonly what: string,
  ) {
    this.all = pulumi.output(
      new Promise<T[]>((resolve) =>
        setImmediate(() => {
          this.sealed = true;
          resolve([...this.items]);
        }),
      ),
    ) as pulumi.Output<pulumi.Unwrap<T>[]>;
  }

  add(item: T): void {
    if (this.sealed) {
      throw new Error(
        `${this.owner}: its ${this.what} were already fixed when this was added. Wire components in the same ` +
          `synchronous block that creates them (no await between creating a resource and subscribing or granting to it).`,
      );
    }
    this.items.push(item);
  }
}
