/**
 * The thread a build runs Pagefind's client in (PagefindThread in search-index.ts): one bundle a request,
 * from one Pagefind service kept for the build, closed on request before the thread ends.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { PagefindHere, type SearchThreadData, type SearchThreadReply, type SearchThreadRequest } from "./search-index.js";

// On Linux a thread's priority is its own (elsewhere it would be the whole build's), and the Pagefind process
// this thread starts inherits it.
if ((workerData as SearchThreadData).background && process.platform === "linux") setPriority(10);

const pagefind = new PagefindHere();

parentPort!.on("message", (request: SearchThreadRequest) => {
  if (request.type === "close") {
    void pagefind.close().finally(() => parentPort!.close());
    return;
  }
  void pagefind.bundle(request.articles, request.language).then(
    (files) => parentPort!.postMessage({ id: request.id, files } satisfies SearchThreadReply),
    (error: unknown) => parentPort!.postMessage({ id: request.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies SearchThreadReply),
  );
});
