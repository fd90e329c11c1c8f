/** Graph values the local cloud cannot use (a missing archive, an unknown reference); the message names the resource. */
export class GraphError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraphError";
  }
}
