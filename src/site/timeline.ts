import { escapeXml } from "./escape.js";
import { formatMonth } from "./format.js";

/**
 * A small bar chart of articles over time, as inline SVG: no script, no
 * external file. The chart is drawn for the eye (hidden from assistive
 * technology); `summary` says the same in words and is shown beside it.
 */
export interface Timeline {
  /** The whole <svg> element, ready to be output unescaped. */
  svg: string;
  /** One sentence saying what the chart shows, for readers who cannot see it. */
  summary: string;
}

/** Past this many months the bars stand for years, so a long archive still fits a phone screen. */
const MAX_MONTH_BARS = 60;
const BAR = 10;
const GAP = 2;
const CHART_HEIGHT = 48;
const LABEL_HEIGHT = 16;

/**
 * Articles per month (or per year, over a long span) from the first month to
 * the last, empty months included, so gaps in the coverage show. `dates` are
 * YYYY-MM-DD, in any order. Null when there is nothing to draw.
 */
export function articleTimeline(dates: readonly string[], language: string): Timeline | null {
  if (dates.length === 0) return null;
  const perMonth = new Map<string, number>();
  let first = "9999-99";
  let last = "0000-00";
  for (const date of dates) {
    const month = date.slice(0, 7);
    perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
    if (month < first) first = month;
    if (month > last) last = month;
  }
  const monthSpan = monthIndex(last) - monthIndex(first) + 1;
  const byYear = monthSpan > MAX_MONTH_BARS;
  const buckets: { key: string; label: string; count: number }[] = [];
  if (byYear) {
    const perYear = new Map<string, number>();
    for (const [month, n] of perMonth) perYear.set(month.slice(0, 4), (perYear.get(month.slice(0, 4)) ?? 0) + n);
    for (let year = Number(first.slice(0, 4)); year <= Number(last.slice(0, 4)); year++) {
      buckets.push({ key: String(year), label: String(year), count: perYear.get(String(year)) ?? 0 });
    }
  } else {
    for (let i = monthIndex(first); i <= monthIndex(last); i++) {
      const month = monthKey(i);
      buckets.push({ key: month, label: monthLabel(month, language), count: perMonth.get(month) ?? 0 });
    }
  }

  const peak = buckets.reduce((best, b) => (b.count > best.count ? b : best), buckets[0]!);
  const unit = byYear ? "year" : "month";
  const total = dates.length;
  const span = buckets.length === 1 ? `in ${buckets[0]!.label}` : `from ${buckets[0]!.label} to ${buckets[buckets.length - 1]!.label}`;
  const summary =
    buckets.length === 1
      ? `${total} ${total === 1 ? "article" : "articles"} ${span}.`
      : `Articles per ${unit} ${span}; most in ${peak.label} (${peak.count}).`;

  const width = Math.max(buckets.length * (BAR + GAP) - GAP, 120);
  const height = CHART_HEIGHT + LABEL_HEIGHT;
  const bars = buckets.map((bucket, i) => {
    const h = bucket.count === 0 ? 0 : Math.max(2, Math.round((bucket.count / peak.count) * CHART_HEIGHT));
    const x = i * (BAR + GAP);
    const tip = `${bucket.label}: ${bucket.count} ${bucket.count === 1 ? "article" : "articles"}`;
    // An empty period is a thin baseline tick, so a gap reads as "none" and not as missing data.
    return h === 0
      ? `<rect class="tl-empty" x="${x}" y="${CHART_HEIGHT - 1}" width="${BAR}" height="1"><title>${escapeXml(tip)}</title></rect>`
      : `<rect class="tl-bar" x="${x}" y="${CHART_HEIGHT - h}" width="${BAR}" height="${h}"><title>${escapeXml(tip)}</title></rect>`;
  });
  const startLabel = byYear ? buckets[0]!.label : shortMonth(buckets[0]!.key, language);
  const endLabel = byYear ? buckets[buckets.length - 1]!.label : shortMonth(buckets[buckets.length - 1]!.key, language);
  const labels = [`<text class="tl-label" x="0" y="${height - 3}">${escapeXml(startLabel)}</text>`];
  if (buckets.length > 1) labels.push(`<text class="tl-label" x="${width}" y="${height - 3}" text-anchor="end">${escapeXml(endLabel)}</text>`);
  const svg = [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-hidden="true" focusable="false">`,
    ...bars,
    ...labels,
    `</svg>`,
  ].join("");
  return { svg, summary };
}

function monthIndex(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

function monthKey(index: number): string {
  return `${String(Math.floor(index / 12)).padStart(4, "0")}-${String((index % 12) + 1).padStart(2, "0")}`;
}

// Thousands of entity pages share a few hundred months: format each month once.
const labels = new Map<string, string>();
const shortFormatters = new Map<string, Intl.DateTimeFormat>();

function monthLabel(month: string, language: string): string {
  const key = `${language}\u0000${month}`;
  let label = labels.get(key);
  if (label === undefined) labels.set(key, (label = formatMonth(month, language)));
  return label;
}

function shortMonth(month: string, language: string): string {
  const key = `${language}\u0000short\u0000${month}`;
  let label = labels.get(key);
  if (label === undefined) {
    let format = shortFormatters.get(language);
    if (!format) shortFormatters.set(language, (format = new Intl.DateTimeFormat(language, { month: "short", year: "numeric", timeZone: "UTC" })));
    labels.set(key, (label = format.format(new Date(`${month}-01T00:00:00Z`))));
  }
  return label;
}
