// Safe-by-construction HTML: every interpolated value is escaped unless it is itself the output of `html`.
// Device descriptions, tags, tool names and audit lines are user-controlled; none of them may become markup.

/** Markup produced by `html` (already escaped where needed). */
export interface SafeHtml {
  readonly safeHtml: string;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as it may appear in element content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === 'object' && value !== null && typeof (value as SafeHtml).safeHtml === 'string';
}

function fragment(value: unknown): string {
  if (value === undefined || value === null || value === false) return '';
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (isSafe(value)) return value.safeHtml;
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<td>${text}</td>\`` escapes `text`; arrays are joined; undefined/null/false render nothing. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => { out += fragment(value) + (strings[i + 1] ?? ''); });
  return { safeHtml: out };
}
