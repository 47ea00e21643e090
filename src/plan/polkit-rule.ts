/**
 * The polkit rule that lets an unprivileged edge control exactly the units of `policy.services`
 * (notes/security.md: "polkit rules matching org.freedesktop.systemd1.manage-units with exact unit and verb").
 * Enable/disable go through org.freedesktop.systemd1.manage-unit-files, which polkit cannot limit to a unit,
 * so the rule never grants it: the OS refuses them.
 */

/** Job verbs systemd passes to polkit for `systemctl start|stop|restart|reload`. */
export const POLKIT_VERBS = ['start', 'stop', 'restart', 'reload'] as const;

const USER = /^[a-z_][a-z0-9_.-]{0,31}$/;
const UNIT = /^[A-Za-z0-9_:.@\\][A-Za-z0-9_:.@\\-]{0,240}\.(service|socket|timer|path|target|mount|automount|swap)$/;
const DEVICE = /^[a-z][a-z0-9-]{0,30}$/;

/**
 * Pure: the rule file's text. polkitd runs it with duktape (ECMAScript 5), so plain `var` and indexOf.
 * Names are checked here as well as in the schema: they end up inside JavaScript that runs as polkitd.
 */
export function renderPolkitRule(values: { device: string; user: string; units: readonly string[] }): string {
  if (!DEVICE.test(values.device)) throw new Error(`polkit rule: invalid device name ${JSON.stringify(values.device)}`);
  if (!USER.test(values.user) || values.user === 'root') throw new Error(`polkit rule: invalid user ${JSON.stringify(values.user)}`);
  if (values.units.length === 0) throw new Error('polkit rule: no units to grant');
  for (const unit of values.units) {
    if (!UNIT.test(unit)) throw new Error(`polkit rule: invalid unit name ${JSON.stringify(unit)}`);
  }
  return [
    `// Managed by lanmcp for ${values.device}: edits are reverted by the next \`lanmcp apply\`.`,
    `// The edge runs as ${values.user}; it may start, stop, restart and reload exactly these units (policy.services).`,
    'polkit.addRule(function (action, subject) {',
    `  if (action.id !== "org.freedesktop.systemd1.manage-units" || subject.user !== ${JSON.stringify(values.user)}) return polkit.Result.NOT_HANDLED;`,
    `  var units = ${JSON.stringify([...values.units])};`,
    `  var verbs = ${JSON.stringify([...POLKIT_VERBS])};`,
    '  if (units.indexOf(action.lookup("unit")) >= 0 && verbs.indexOf(action.lookup("verb")) >= 0) return polkit.Result.YES;',
    '  return polkit.Result.NOT_HANDLED;',
    '});',
    '',
  ].join('\n');
}
