import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../repo-root";

interface ProjectFile {
  name: string;
  config?: Record<string, unknown>;
}

/** The project's name, from Pulumi.yaml. */
export function projectName(root = REPO_ROOT): string {
  return readProject(root).name;
}

/**
 * A stack's configuration as the Pulumi CLI hands it to the program: the project-level values and defaults of
 * Pulumi.yaml (keys without a namespace belong to the project), overlaid by `Pulumi.<stack>.yaml`. Values are strings;
 * structured values are their JSON, as the CLI passes them.
 */
export function loadStackConfig(stack: string, root = REPO_ROOT): Record<string, string> {
  const project = readProject(root);
  const config: Record<string, string> = {};
  for (const [key, declared] of Object.entries(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    const value = isDeclaration(declared) ? (declared.value ?? declared.default) : declared;
    if (value !== undefined) config[fullKey] = asConfigString(value);
  }
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (existsSync(file)) {
    const parsed = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    for (const [key, value] of Object.entries(parsed.config ?? {})) {
      config[key.includes(":") ? key : `${project.name}:${key}`] = asConfigString(value);
    }
  }
  return config;
}

function readProject(root: string): ProjectFile {
  const file = path.join(root, "Pulumi.yaml");
  const project = parse(readFileSync(file, "utf8")) as ProjectFile;
  if (!project?.name) throw new Error(`${file} has no project name.`);
  return project;
}

function isDeclaration(value: unknown): value is { type?: string; default?: unknown; value?: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && ("type" in value || "default" in value || "value" in value);
}

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
