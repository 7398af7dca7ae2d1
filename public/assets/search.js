// Full-text search with Pagefind. The build writes one Pagefind bundle per
// publication year (or run of months, in a large year) under
// <site>/pagefind/<name>/ and lists them, newest first, in
// <site>/pagefind/shards.json; the newest is loaded and the others
// merged into it, so a search covers every year. This file lives in
// <site>/assets/, so everything is found relative to it and search works
// under any path prefix.
const form = document.querySelector(".search-form");
const input = document.querySelector("#search-query");
const status = document.querySelector("#search-status");
const results = document.querySelector("#search-results");
const siteRoot = new URL("../", import.meta.url);
const PAGE = 20;

let pagefindPromise = null;
function loadPagefind() {
  pagefindPromise ??= (async () => {
    const response = await fetch(new URL("pagefind/shards.json", siteRoot));
    if (!response.ok) throw new Error(`no search index (${response.status})`);
    const { bundles } = await response.json();
    if (bundles.length === 0) return null;
    const bundle = (name) => new URL(`pagefind/${name}`, siteRoot);
    const pagefind = await import(new URL("pagefind.js", bundle(bundles[0])).href);
    // Result URLs in the bundles are site-relative: give them the path prefix.
    const options = { baseUrl: siteRoot.pathname, excerptLength: 30 };
    await pagefind.options(options);
    // Merged indexes wait for the primary's WebAssembly, which init() loads.
    await pagefind.init();
    await Promise.all(bundles.slice(1).map((name) => pagefind.mergeIndex(bundle(name).pathname, options)));
    return pagefind;
  })();
  return pagefindPromise;
}

/** Pagefind's excerpt is HTML with <mark> around the hits; keep only text and marks. */
function excerptNodes(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const nodes = [];
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      nodes.push(mark);
    } else {
      nodes.push(document.createTextNode(node.textContent ?? ""));
    }
  }
  return nodes;
}

function resultCard(data) {
  const item = document.createElement("article");
  item.className = "card";
  const heading = document.createElement("h2");
  heading.className = "card-title";
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title ?? data.url;
  heading.append(link);
  item.append(heading);
  if (data.meta.date) {
    const meta = document.createElement("p");
    meta.className = "meta";
    const time = document.createElement("time");
    time.dateTime = data.meta.date;
    time.textContent = new Date(`${data.meta.date}T00:00:00Z`).toLocaleDateString(document.documentElement.lang || undefined, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    meta.append(time);
    item.append(meta);
  }
  const excerpt = document.createElement("p");
  excerpt.className = "kwic";
  excerpt.append(...excerptNodes(data.excerpt));
  item.append(excerpt);
  return item;
}

let latest = 0;
async function search(query) {
  const ticket = ++latest;
  const words = query.trim();
  results.replaceChildren();
  if (!words) {
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  let pagefind;
  try {
    pagefind = await loadPagefind();
  } catch {
    status.textContent = "The search index is not available on this copy of the site.";
    return;
  }
  const found = pagefind ? await pagefind.search(words) : { results: [] };
  if (ticket !== latest) return;
  const shown = await Promise.all(found.results.slice(0, PAGE).map((result) => result.data()));
  if (ticket !== latest) return;
  const n = found.results.length;
  status.textContent = n === 0 ? `No articles match “${words}”.` : `${n} article${n === 1 ? " matches" : "s match"} “${words}”${n > PAGE ? `; the best ${PAGE} are shown` : ""}.`;
  results.replaceChildren(...shown.map(resultCard));
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const url = new URL(location.href);
  url.searchParams.set("q", input.value);
  history.replaceState(null, "", url);
  search(input.value);
});
const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  search(initial);
}
