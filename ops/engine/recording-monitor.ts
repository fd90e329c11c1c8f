import { MockMonitor, type Mocks } from "@pulumi/pulumi/runtime/mocks";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";

type Struct = Parameters<typeof deserializeProperties>[0];

/** One resource as the engine saw it registered: what a real engine would write into the checkpoint. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** False for component resources (and the stack), which own children but create nothing in the cloud. */
  readonly custom: boolean;
  readonly parent?: string;
  /** URNs this resource depends on (`dependsOn` plus the resources behind its inputs). */
  readonly dependencies: readonly string[];
  /** For each input property, the URNs its value came from. */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly inputs: Record<string, unknown>;
  /** Inputs plus computed properties for custom resources; the registered outputs for components. */
  outputs: Record<string, unknown>;
  readonly id?: string;
  readonly provider?: string;
}

interface ProtoRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Struct;
  getProvider(): string;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (value: { getUrnsList(): string[] }, key: string) => void): void };
}

interface ProtoResponse {
  getUrn(): string;
  getId(): string;
  getObject(): Struct | undefined;
}

type Callback = (err: unknown, response: unknown) => void;

/**
 * Pulumi's MockMonitor, extended to keep what its `newResource` hook never sees: parents, dependencies and property
 * dependencies (they are on the gRPC request only), and the outputs components register at the end of their
 * constructors.
 */
export class RecordingMonitor extends MockMonitor {
  readonly recorded = new Map<string, RecordedResource>();

  constructor(mocks: Mocks) {
    super(mocks);
  }

  override async registerResource(req: ProtoRequest, callback: Callback): Promise<void> {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((value, key) => {
      propertyDependencies[key] = value.getUrnsList();
    });
    const inputs = deserializeProperties(req.getObject()) as Record<string, unknown>;
    return super.registerResource(req, (err: unknown, response: unknown) => {
      if (!err && response) {
        const res = response as ProtoResponse;
        const urn = res.getUrn();
        const state = res.getObject();
        this.recorded.set(urn, {
          urn,
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent() || undefined,
          dependencies: req.getDependenciesList(),
          propertyDependencies,
          inputs,
          outputs: state ? (deserializeProperties(state) as Record<string, unknown>) : {},
          id: res.getId() || undefined,
          provider: req.getProvider() || undefined,
        });
      }
      callback(err, response);
    });
  }

  override registerResourceOutputs(req: { getUrn(): string; getOutputs(): Struct | undefined }, callback: Callback): void {
    const recorded = this.recorded.get(req.getUrn());
    if (recorded && req.getOutputs()) {
      recorded.outputs = deserializeProperties(req.getOutputs() as Struct) as Record<string, unknown>;
    }
    super.registerResourceOutputs(req, callback);
  }
}
