import { decode, encode, type SourceMapLine, type SourceMapSegment } from "@jridgewell/sourcemap-codec";

// A bundle's source map, cut down to the project's own code. Of a handler's map (~600-760 KB), more than 98% maps the
// AWS SDK, Powertools and the other packages: the deployed archive was mostly that map, and Node, started with
// --enable-source-maps, reads it at every cold start. Stack frames in the handler's own files (the ones a user fixes)
// stay mapped; a frame inside a package keeps its position in index.js.

/** The source map JSON (version 3, as esbuild writes it) with mappings, sources and names only for the own code. */
export function ownCodeSourceMap(json: string): string {
  const map = JSON.parse(json) as { version: number; sources: string[]; names: string[]; mappings: string };
  const own = map.sources.map((source) => !isDependency(source));
  const sources = new Compacted<string>();
  const names = new Compacted<string>();
  // Node finds a frame's mapping by the last segment at or before it, across lines. Dropping a package's segments
  // alone would leave its code under the preceding own segment: a frame in the SDK would point into a handler file.
  // So where own code ends, a one-field segment (generated column only: "no source") ends its mapping.
  let inOwnCode = false;
  const lines = decode(map.mappings).map((line): SourceMapLine => {
    const kept: SourceMapLine = [];
    for (const segment of line) {
      if (segment.length === 1 || !own[segment[1]]) {
        if (inOwnCode) kept.push([segment[0]]);
        inOwnCode = false;
        continue;
      }
      inOwnCode = true;
      const [column, source, line, sourceColumn] = segment;
      const remapped: SourceMapSegment =
        segment.length === 5
          ? [column, sources.index(map.sources[source]), line, sourceColumn, names.index(map.names[segment[4]])]
          : [column, sources.index(map.sources[source]), line, sourceColumn];
      kept.push(remapped);
    }
    return kept;
  });
  return JSON.stringify({ version: map.version, sources: sources.values, mappings: encode(lines), names: names.values });
}

/** A source path (relative to the handlers root) inside an installed package. */
function isDependency(source: string): boolean {
  return /(^|[\\/])node_modules[\\/]/.test(source);
}

/** The values in first-use order, each with its new index. */
class Compacted<T> {
  readonly values: T[] = [];
  private readonly indices = new Map<T, number>();

  index(value: T): number {
    let index = this.indices.get(value);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(value);
      this.indices.set(value, index);
    }
    return index;
  }
}
