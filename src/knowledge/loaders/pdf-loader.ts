import { SkippedDocument, type LoadedDocument } from "./loaded-document.js";

/**
 * Reads the text layer of a PDF, one section per page (`unpdf`, pure JavaScript, loaded on
 * first use). A PDF whose pages have no text (a scan) is skipped with that reason.
 */
export async function loadPdf(
  bytes: Uint8Array,
  fallbackTitle: string,
): Promise<LoadedDocument | SkippedDocument> {
  const { getDocumentProxy, extractText, getMeta } = await import("unpdf");
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes));
  } catch (error) {
    return new SkippedDocument(`unreadable PDF (${(error as Error).message})`);
  }
  try {
    const { text } = await extractText(pdf, { mergePages: false });
    const sections = text
      .map((page, index) => ({ headings: [], text: page.trim(), page: index + 1 }))
      .filter((section) => section.text.length > 0);
    if (sections.length === 0)
      return new SkippedDocument(
        `PDF without a text layer (${text.length} pages of images?): run OCR on it first`,
      );
    const meta = await getMeta(pdf).catch(() => undefined);
    const info = meta?.info as { Title?: unknown } | undefined;
    const title =
      typeof info?.Title === "string" && info.Title.trim() ? info.Title.trim() : fallbackTitle;
    return { title, format: "pdf", sections };
  } finally {
    // Frees the worker-side document (typed loosely by unpdf's declarations).
    await (pdf as unknown as { destroy?: () => Promise<void> }).destroy?.();
  }
}
