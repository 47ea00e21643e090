/** Values templates/lanmcp-hub.service is rendered with. */
export interface HubUnitValues {
  host: string;
  version: string;
  /** Where `node` lives on the hub host (facts). */
  node_path: string;
  bundle_path: string;
  config_path: string;
  /** V8 old-space cap in MB. */
  max_old_space_mb: number;
}

const PATH = /^\/[A-Za-z0-9._/+-]+$/;
const RULES: Record<keyof HubUnitValues, RegExp> = {
  host: /^[a-z][a-z0-9-]{0,30}$/,
  version: /^[^\s]+$/,
  node_path: PATH,
  bundle_path: PATH,
  config_path: PATH,
  max_old_space_mb: /^[1-9][0-9]{1,5}$/,
};

/**
 * Pure: fills the `{{name}}` placeholders. A value that is not one safe word (a newline would inject unit
 * directives) or an unknown placeholder throws instead of rendering a broken unit.
 */
export function renderHubUnit(template: string, values: HubUnitValues): string {
  const filled = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])) as Record<string, string>;
  for (const [name, rule] of Object.entries(RULES)) {
    if (!rule.test(filled[name] ?? '')) throw new Error(`hub unit value ${name} is invalid: ${JSON.stringify(filled[name])} does not match ${rule}`);
  }
  return template.replace(/\{\{([a-z_]+)\}\}/g, (_, name: string) => {
    const value = filled[name];
    if (value === undefined) throw new Error(`hub unit template has an unknown placeholder {{${name}}}`);
    return value;
  });
}
