import { deflateRawSync } from "node:zlib";

// The Function component hands Pulumi a directory; the engine zips it (Go's archive/zip, every file Deflate-compressed,
// a fixed modification time) and that zip is what Lambda receives, stores and reports as CodeSize. See
// `archiveZIP` / `addNextFileToZIP` in pulumi/pulumi sdk/go/common/resource/archive/archive.go.
//
// Per file, Go's zip writer emits a local header (30 bytes + name + a 9-byte extended-timestamp extra field, which it
// adds because Pulumi sets the modification time), the compressed data, a 16-byte data descriptor (sizes unknown when
// the header is written), and a central-directory entry (46 bytes + name + the same 9-byte extra field); then a 22-byte
// end-of-central-directory record.
const PER_FILE_OVERHEAD = 30 + 9 + 16 + 46 + 9;
const END_OF_CENTRAL_DIRECTORY = 22;

/**
 * The size in bytes of the zip Pulumi makes of these files. The compressed sizes come from zlib at Go's default level
 * (6); Go's own deflate differs from zlib's by a few percent, so this is the zip's size to within that.
 */
export function zipSize(files: Readonly<Record<string, Buffer | string>>): number {
  let total = END_OF_CENTRAL_DIRECTORY;
  for (const [name, content] of Object.entries(files)) {
    const nameBytes = Buffer.byteLength(name);
    total += PER_FILE_OVERHEAD + 2 * nameBytes + deflateRawSync(content, { level: 6 }).length;
  }
  return total;
}
