import { createHash } from "node:crypto";
import { defineRoute, type ApiRoute } from "../api-route.js";
import { ViewerAssets, type ViewerAsset } from "../viewer-assets.js";

/** Options of the run viewer (`createServer({ viewer })`). */
export interface ViewerOptions {
  /** Where the bundle is (default: `dist/viewer/` of the llmteam package). */
  directory?: string;
}

/** Served with the page: it loads only its own script and style and talks only to this server. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

/** A file requested with its current version (`?v=`) never changes: cached for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Anything else is revalidated with its ETag on every use (a 304 costs no body). */
const REVALIDATE = "no-cache";

/**
 * The run viewer: the page at `/` and its bundle under `/viewer/` (public: the page holds no
 * data; it asks the API for everything, with the user's key when the server has keys). The
 * bundle is found on disk (see {@link ViewerAssets}); when it is missing, both answer a 503
 * saying to run `npm run build`.
 */
export function viewerRoutes(options: ViewerOptions = {}): ApiRoute[] {
  const assets = new ViewerAssets(options.directory);
  return [
    defineRoute({
      method: "GET",
      path: "/",
      summary: "The run viewer: a web page listing runs and following one live.",
      tag: "viewer",
      scope: "public",
      responses: {
        200: { description: "The page.", contentType: "text/html" },
        503: { description: "The viewer's bundle is not built (run `npm run build`)." },
      },
      async handle({ context }) {
        const files = await assets.all();
        const base = context.req.path.endsWith("/") ? context.req.path : `${context.req.path}/`;
        const html = pageHtml(base, files);
        const page: ViewerAsset = {
          body: new TextEncoder().encode(html),
          contentType: "text/html; charset=utf-8",
          etag: `"${createHash("sha256").update(html).digest("hex").slice(0, 16)}"`,
        };
        return conditional(context.req.raw, page, REVALIDATE, PAGE_HEADERS);
      },
    }),
    defineRoute({
      method: "GET",
      path: "/viewer/:file",
      summary: "A file of the run viewer's bundle (viewer.js, viewer.css), with an ETag.",
      tag: "viewer",
      scope: "public",
      responses: {
        200: { description: "The file.", contentType: "text/javascript" },
        304: { description: "Not modified (If-None-Match matched its ETag)." },
        404: { description: "Not a file of the viewer." },
        503: { description: "The viewer's bundle is not built (run `npm run build`)." },
      },
      async handle({ params, context }) {
        const asset = await assets.asset(params.file!);
        const versioned = context.req.query("v") === versionOf(asset);
        return conditional(context.req.raw, asset, versioned ? IMMUTABLE : REVALIDATE);
      },
    }),
  ] as ApiRoute[];
}

/** The `?v=` of a file: its ETag without quotes. */
function versionOf(asset: ViewerAsset): string {
  return asset.etag.slice(1, -1);
}

/** 304 when the request's `If-None-Match` names the asset's ETag, else 200 with the body. */
function conditional(
  request: Request,
  asset: ViewerAsset,
  cacheControl: string,
  extra: Record<string, string> = {},
): Response {
  const headers = { etag: asset.etag, "cache-control": cacheControl, ...extra };
  const wanted = request.headers.get("if-none-match") ?? "";
  const matches = wanted
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === asset.etag || tag === "*");
  if (matches) return new Response(null, { status: 304, headers });
  return new Response(asset.body, {
    status: 200,
    headers: { ...headers, "content-type": asset.contentType },
  });
}

/** The page: an empty shell the bundle renders into. */
function pageHtml(base: string, files: Record<string, ViewerAsset>): string {
  const href = (name: string) => `${base}viewer/${name}?v=${versionOf(files[name]!)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>llmteam runs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${href("viewer.css")}">
<script type="module" src="${href("viewer.js")}"></script>
</head>
<body>
<div id="app"><noscript>The run viewer needs JavaScript. The API is described at ${base}openapi.json.</noscript></div>
</body>
</html>
`;
}
