// HTML escaping shared by the Data Docs page and site.

/** Escapes text for HTML content and quoted attributes. */
export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
