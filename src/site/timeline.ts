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
  return countByNumber(dates, language) ?? countByText(dates, language);
}

/** Bars of a timeline: what each stands for, and how many articles it counts. */
interface Buckets {
  byYear: boolean;
  labels: string[];
  counts: ArrayLike<number>;
  /** YYYY-MM of the first and last month (month bars only), for the short labels under the chart. */
  firstMonth: string;
  lastMonth: string;
}

/**
 * Counts with month numbers read off the digits, into arrays: the common case, dates as the loader
 * writes them (a year from 1000, a month from 01 to 12). Null for any other date.
 */
function countByNumber(dates: readonly string[], language: string): Timeline | null {
  const months = new Int32Array(dates.length);
  for (let i = 0; i < dates.length; i++) {
    const month = monthNumber(dates[i]!);
    if (month < 0) return null;
    months[i] = month;
  }
  return monthTimeline(months, language);
}

/**
 * articleTimeline for dates given as month numbers (see monthNumber: every date's number is 0 or more),
 * for a caller that has them already. Null when there is nothing to draw.
 */
export function monthTimeline(months: ArrayLike<number>, language: string): Timeline | null {
  if (months.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < months.length; i++) {
    const month = months[i]!;
    if (month < first) first = month;
    if (month > last) last = month;
  }
  const monthSpan = last - first + 1;
  const byYear = monthSpan > MAX_MONTH_BARS;
  const labels: string[] = [];
  let counts: Int32Array;
  if (byYear) {
    const firstYear = Math.floor(first / 12);
    counts = new Int32Array(Math.floor(last / 12) - firstYear + 1);
    for (let i = 0; i < months.length; i++) counts[Math.floor(months[i]! / 12) - firstYear]!++;
    for (let year = firstYear; year < firstYear + counts.length; year++) labels.push(String(year));
  } else {
    counts = new Int32Array(monthSpan);
    for (let i = 0; i < months.length; i++) counts[months[i]! - first]!++;
    for (let month = first; month <= last; month++) labels.push(monthLabelOf(month, language));
  }
  return draw({ byYear, labels, counts, firstMonth: monthKey(first), lastMonth: monthKey(last) }, months.length, language);
}

/** "YYYY-MM..." as year * 12 + month - 1, for a year from 1000 and a month from 01 to 12; else -1. */
export function monthNumber(date: string): number {
  if (date.length < 7 || date.charCodeAt(4) !== 0x2d) return -1;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const digit = date.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    year = year * 10 + digit;
  }
  const tens = date.charCodeAt(5) - 0x30;
  const ones = date.charCodeAt(6) - 0x30;
  if (year < 1000 || tens < 0 || tens > 1 || ones < 0 || ones > 9) return -1;
  const month = tens * 10 + ones;
  return month >= 1 && month <= 12 ? year * 12 + month - 1 : -1;
}

/** Counts by the text of each date, for any date. */
function countByText(dates: readonly string[], language: string): Timeline | null {
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
  const labels: string[] = [];
  const counts: number[] = [];
  if (byYear) {
    const perYear = new Map<string, number>();
    for (const [month, n] of perMonth) perYear.set(month.slice(0, 4), (perYear.get(month.slice(0, 4)) ?? 0) + n);
    for (let year = Number(first.slice(0, 4)); year <= Number(last.slice(0, 4)); year++) {
      labels.push(String(year));
      counts.push(perYear.get(String(year)) ?? 0);
    }
  } else {
    for (let i = monthIndex(first); i <= monthIndex(last); i++) {
      const month = monthKey(i);
      labels.push(monthLabel(month, language));
      counts.push(perMonth.get(month) ?? 0);
    }
  }
  return draw({ byYear, labels, counts, firstMonth: monthKey(monthIndex(first)), lastMonth: monthKey(monthIndex(last)) }, dates.length, language);
}

function draw(buckets: Buckets, total: number, language: string): Timeline | null {
  const { byYear, labels, counts } = buckets;
  const n = labels.length;
  // The first bucket with the most articles.
  let peak = 0;
  for (let i = 1; i < n; i++) if (counts[i]! > counts[peak]!) peak = i;
  const peakCount = counts[peak]!;
  const unit = byYear ? "year" : "month";
  const span = n === 1 ? `in ${labels[0]!}` : `from ${labels[0]!} to ${labels[n - 1]!}`;
  const summary =
    n === 1
      ? `${total} ${total === 1 ? "article" : "articles"} ${span}.`
      : `Articles per ${unit} ${span}; most in ${labels[peak]!} (${peakCount}).`;

  const width = Math.max(n * (BAR + GAP) - GAP, 120);
  const height = CHART_HEIGHT + LABEL_HEIGHT;
  // Joined in one go: one flat string (thousands of pages share it, and a string built by + is a tree of pieces).
  const svg = [`<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-hidden="true" focusable="false">`];
  for (let i = 0; i < n; i++) {
    const count = counts[i]!;
    const h = count === 0 ? 0 : Math.max(2, Math.round((count / peakCount) * CHART_HEIGHT));
    const x = i * (BAR + GAP);
    const tip = escapeXml(`${labels[i]!}: ${count} ${count === 1 ? "article" : "articles"}`);
    // An empty period is a thin baseline tick, so a gap reads as "none" and not as missing data.
    svg.push(
      h === 0
        ? `<rect class="tl-empty" x="${x}" y="${CHART_HEIGHT - 1}" width="${BAR}" height="1"><title>${tip}</title></rect>`
        : `<rect class="tl-bar" x="${x}" y="${CHART_HEIGHT - h}" width="${BAR}" height="${h}"><title>${tip}</title></rect>`,
    );
  }
  const startLabel = byYear ? labels[0]! : shortMonth(buckets.firstMonth, language);
  const endLabel = byYear ? labels[n - 1]! : shortMonth(buckets.lastMonth, language);
  svg.push(`<text class="tl-label" x="0" y="${height - 3}">${escapeXml(startLabel)}</text>`);
  if (n > 1) svg.push(`<text class="tl-label" x="${width}" y="${height - 3}" text-anchor="end">${escapeXml(endLabel)}</text>`);
  svg.push(`</svg>`);
  return { svg: svg.join(""), summary };
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

/** monthLabel by month number, for the digits path: no key text to build per bar. */
const labelsByNumber = new Map<string, Map<number, string>>();

function monthLabelOf(month: number, language: string): string {
  let byNumber = labelsByNumber.get(language);
  if (!byNumber) labelsByNumber.set(language, (byNumber = new Map()));
  let label = byNumber.get(month);
  if (label === undefined) byNumber.set(month, (label = monthLabel(monthKey(month), language)));
  return label;
}

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
