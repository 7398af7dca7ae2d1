/** The entity types design.md fixes for `gazette extract` and the site. */
export type EntityType = "person" | "organization" | "place" | "event" | "other";

export const ENTITY_TYPES: readonly EntityType[] = ["person", "organization", "place", "event", "other"];

/** A typed stretch of text that names an entity; offsets are UTF-16 code units into the text tagged. */
export interface TaggedSpan {
  start: number;
  end: number;
  type: EntityType;
}

/**
 * A named-entity tagger: text in, typed spans out (sorted, non-overlapping).
 * Canonicalisation (merging mentions into entities) is not its job: see canonical.ts.
 */
export interface EntityTagger {
  tag(text: string): TaggedSpan[];
}
