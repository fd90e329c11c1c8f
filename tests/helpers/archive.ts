import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * The files of an archive as a resource received it (a recorded `code` input): names to text. A directory archive
 * (what the Function component deploys) is read from disk; an archive of string assets from its assets.
 */
export async function archiveFiles(recorded: unknown): Promise<Record<string, string>> {
  const archive = recorded as pulumi.asset.FileArchive & pulumi.asset.AssetArchive;
  const dir = await (archive as pulumi.asset.FileArchive).path;
  if (typeof dir === "string") {
    return Object.fromEntries(fs.readdirSync(dir).sort().map((name) => [name, fs.readFileSync(path.join(dir, name), "utf8")]));
  }
  const assets = (await archive.assets) as Record<string, pulumi.asset.StringAsset>;
  const files: Record<string, string> = {};
  for (const [name, asset] of Object.entries(assets)) {
    const text = await asset.text;
    if (typeof text !== "string") throw new Error(`archive entry ${name} is not a string asset`);
    files[name] = text;
  }
  return files;
}
