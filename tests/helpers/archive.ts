import type * as pulumi from "@pulumi/pulumi";

/**
 * The files of an archive as a resource received it (a recorded `code` input): names to text. Only archives of string
 * assets, which is what the Function component deploys.
 */
export async function archiveFiles(recorded: unknown): Promise<Record<string, string>> {
  const archive = recorded as pulumi.asset.AssetArchive;
  const assets = (await archive.assets) as Record<string, pulumi.asset.StringAsset>;
  const files: Record<string, string> = {};
  for (const [name, asset] of Object.entries(assets)) {
    const text = await asset.text;
    if (typeof text !== "string") throw new Error(`archive entry ${name} is not a string asset`);
    files[name] = text;
  }
  return files;
}
