import { fileURLToPath } from "node:url";
import { buildViewer, viewerBuildIsStale } from "../../scripts/build-viewer.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Builds the run viewer's bundle (dist/viewer/) when it is missing or older than its sources,
 * so the viewer's tests run the code they are next to without a full `npm run build`.
 */
export async function ensureViewerBundle(): Promise<void> {
  if (viewerBuildIsStale(ROOT)) await buildViewer(ROOT);
}
