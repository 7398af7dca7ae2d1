import type { EntityType } from "../nlp/types.js";

const formatters = new Map<string, { day: Intl.DateTimeFormat; month: Intl.DateTimeFormat }>();

function formattersFor(language: string) {
  let found = formatters.get(language);
  if (!found) {
    found = {
      day: new Intl.DateTimeFormat(language, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }),
      month: new Intl.DateTimeFormat(language, { month: "long", year: "numeric", timeZone: "UTC" }),
    };
    formatters.set(language, found);
  }
  return found;
}

/** "7 May 2025" (in the site's language) for YYYY-MM-DD. */
export function formatDay(date: string, language: string): string {
  return formattersFor(language).day.format(new Date(`${date}T00:00:00Z`));
}

/** "May 2025" for YYYY-MM. */
export function formatMonth(yearMonth: string, language: string): string {
  return formattersFor(language).month.format(new Date(`${yearMonth}-01T00:00:00Z`));
}

export const TYPE_LABELS: Record<EntityType, { one: string; many: string }> = {
  person: { one: "Person", many: "People" },
  organization: { one: "Organisation", many: "Organisations" },
  place: { one: "Place", many: "Places" },
  event: { one: "Event", many: "Events" },
  other: { one: "Other", many: "Other names" },
};

/** Numbers as toLocaleString("en") writes them: each page of thousands writes a few hundred distinct ones. */
const numerals = new Map<number, string>();

/** One number with its noun: "1 article", "12 articles". */
export function count(n: number, noun: string): string {
  let numeral = numerals.get(n);
  if (numeral === undefined) {
    numeral = n.toLocaleString("en");
    if (numerals.size < 100_000) numerals.set(n, numeral);
  }
  return `${numeral} ${noun}${n === 1 ? "" : "s"}`;
}
