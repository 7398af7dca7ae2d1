// Client-side search over the archive's own data (/api/articles.json).
const form = document.querySelector(".search-form");
const input = document.querySelector("#search-query");
const results = document.querySelector("#search-results");
const base = new URL("../", import.meta.url);
let articles = null;

async function load() {
  articles ??= await (await fetch(new URL("api/articles.json", base))).json();
  return articles;
}

function render(query, found) {
  results.replaceChildren();
  const summary = document.createElement("p");
  summary.textContent = `${found.length} result${found.length === 1 ? "" : "s"} for “${query}”`;
  results.append(summary);
  for (const article of found.slice(0, 50)) {
    const item = document.createElement("article");
    item.className = "card";
    const heading = document.createElement("h2");
    heading.className = "card-title";
    const link = document.createElement("a");
    link.href = article.url;
    link.textContent = article.title;
    heading.append(link);
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = article.date;
    item.append(heading, meta);
    results.append(item);
  }
}

async function search(query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return;
  const all = await load();
  render(query, all.filter((a) => words.every((w) => `${a.title} ${a.entities.join(" ")} ${a.topics.join(" ")}`.toLowerCase().includes(w))));
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?q=${encodeURIComponent(input.value)}`);
  search(input.value);
});
const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  search(initial);
}
