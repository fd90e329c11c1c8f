import type { LocalPipe } from "./pipe";

/** EventBridge Pipes: the graph's pipes, each reading its table's stream once started. */
export class PipesService {
  readonly pipes: LocalPipe[] = [];
}
