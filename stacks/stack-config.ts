import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

// What reads the project's Pulumi.yaml and Pulumi.<stack>.yaml, as the Pulumi CLI does: the deployed program reads its
// stack's configuration here (stacks/context.ts), and the tooling (ops/) too; the program never imports the tooling.

/** The project's root: Pulumi.yaml and the stacks' config files are here. */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

interface ProjectFile {
  name: string;
  config?: Record<string, unknown>;
}

/** A stack's configuration, and what a reader should know about where it came from. */
export interface StackConfig {
  /** `namespace:key` → value, as the CLI hands them to the program. */
  readonly config: Record<string, string>;
  /** Warnings about the configuration (a missing environment file), as `pulumi preview` prints them. */
  readonly warnings: readonly string[];
}

/** A configuration file that cannot be read; the message names the file. */
export class ConfigFileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = "ConfigFileError";
  }
}

/** The project's name, from Pulumi.yaml. */
export function projectName(root = PROJECT_ROOT): string {
  return readProject(root).name;
}

/**
 * A stack's configuration as the Pulumi CLI hands it to the program: the project-level values and defaults of
 * Pulumi.yaml (keys without a namespace belong to the project), overlaid by `Pulumi.<stack>.yaml`. Values are strings;
 * structured values are their JSON, as the CLI passes them. A domain stack's file is optional (it overrides the
 * environment's settings); the environment's own file holds them, so running without it is worth a warning.
 */
export function loadStackConfig(stack: string, root = PROJECT_ROOT): StackConfig {
  const project = readProject(root);
  const config: Record<string, string> = {};
  const warnings: string[] = [];
  for (const [key, declared] of Object.entries(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    const value = isDeclaration(declared) ? (declared.value ?? declared.default) : declared;
    if (value !== undefined) config[fullKey] = asConfigString(value);
  }
  const fileName = `Pulumi.${stack}.yaml`;
  const file = path.join(root, fileName);
  if (existsSync(file)) {
    const parsed = readYaml(file, fileName) as { config?: unknown } | null;
    if (parsed !== null && (typeof parsed !== "object" || Array.isArray(parsed))) {
      throw new ConfigFileError(fileName, "is not a map; a stack's file holds a `config:` map of `namespace:key: value`.");
    }
    const values = parsed?.config ?? {};
    if (typeof values !== "object" || values === null || Array.isArray(values)) {
      throw new ConfigFileError(fileName, "`config` is not a map of `namespace:key: value`.");
    }
    for (const [key, value] of Object.entries(values)) {
      config[key.includes(":") ? key : `${project.name}:${key}`] = asConfigString(value);
    }
  } else if (!stack.includes(".")) {
    warnings.push(`${fileName} was not found: stack ${stack} runs with the defaults of Pulumi.yaml and stacks/settings.ts.`);
  }
  return { config, warnings };
}

function readProject(root: string): ProjectFile {
  const project = readYaml(path.join(root, "Pulumi.yaml"), "Pulumi.yaml") as ProjectFile | null;
  if (!project?.name) throw new ConfigFileError("Pulumi.yaml", "has no project `name`.");
  return project;
}

// The yaml package's messages say where (line and column) but not which file.
function readYaml(file: string, label: string): unknown {
  try {
    return parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigFileError(label, `is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function isDeclaration(value: unknown): value is { type?: string; default?: unknown; value?: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && ("type" in value || "default" in value || "value" in value);
}

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
