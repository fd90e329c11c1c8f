import path from "node:path";
import { rmSync } from "node:fs";
import { serviceModule } from "../../service-module";
import { LocalXRay } from "./local-xray";

/**
 * X-Ray: the daemon on a free port, for the functions' and the worker's segments and the services' own. First in the
 * registry, so it stops last, writing the traces of everything that ran; while serving it writes them every few seconds.
 */
export const xray = serviceModule<LocalXRay>({
  name: "xray",
  icon: "⌁",
  build: (cloud) => {
    const dir = path.join(cloud.outputDir, "traces");
    rmSync(dir, { recursive: true, force: true });
    return LocalXRay.start(dir);
  },
  start: (daemon) => {
    const writing = setInterval(() => daemon.write(), 5000);
    writing.unref();
    return () => clearInterval(writing);
  },
  stop: (daemon) => daemon.stop(),
});
