/** Values the edge's systemd unit template (templates/lanmcp-edge.service) is rendered with. */
export interface EdgeUnitValues {
  device: string;
  version: string;
  /** Where `node` lives on the device (facts), e.g. /usr/bin/node. */
  node_path: string;
  run_as: string;
  memory_max: string;
  tasks_max: number;
}

/**
 * Pure: fills `{{name}}` placeholders. An unknown placeholder, or a value with a newline (which would
 * inject unit directives), is a bug or hostile input and throws rather than rendering a broken unit.
 */
export function renderEdgeUnit(template: string, values: EdgeUnitValues): string {
  return template.replace(/\{\{([a-z_]+)\}\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`unit template has an unknown placeholder {{${name}}}`);
    const value = String(values[name as keyof EdgeUnitValues]);
    if (/[\n\r]/.test(value)) throw new Error(`unit value ${name} must be one line, got ${JSON.stringify(value)}`);
    return value;
  });
}
