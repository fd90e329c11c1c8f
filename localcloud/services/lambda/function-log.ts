import type { FunctionSpec } from "./spec";
import type { LogSink } from "./environment";

const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];

/**
 * A function's log file: what the runtime prints, filtered as Lambda filters JSON logs by the application log level
 * (a line whose `level` is below it is dropped), and the platform's START/END/REPORT lines.
 */
export function functionLog(write: (line: string) => void, spec: FunctionSpec): LogSink {
  const threshold = spec.logFormat === "JSON" ? LEVELS.indexOf((spec.applicationLogLevel ?? "INFO").toUpperCase()) : -1;
  return (line) => {
    if (threshold > 0 && line.startsWith("{")) {
      try {
        const level = String((JSON.parse(line) as { level?: unknown }).level ?? "").toUpperCase();
        if (LEVELS.includes(level) && LEVELS.indexOf(level) < threshold) return;
      } catch {
        // Not JSON after all: kept as written.
      }
    }
    write(line);
  };
}
