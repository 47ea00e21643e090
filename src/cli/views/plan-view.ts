import type { Action, Change, DevicePlan, Plan, Resource } from '../../plan/types.js';
import { fingerprint } from '../../shared/hash.js';
import { unifiedDiff } from './text-diff.js';

export interface PlanViewOptions {
  /** Show unchanged devices and no-op resources with their reasons. */
  verbose: boolean;
  /** Show unified diffs of text files (unit, config). */
  diff: boolean;
}

const SYMBOL: Record<Action, string> = { create: '+', update: '~', delete: '-', restart: '~', enable: '~', start: '~', noop: '=', blocked: '!' };
const HEADLINE: Record<DevicePlan['outcome'], string> = {
  provision: '+ %s will be provisioned',
  update: '~ %s will be updated',
  remove: '- %s will have lanmcp removed',
  unchanged: '= %s is up to date',
  unreachable: '! %s is unreachable',
  failed: '! %s could not be inspected',
  blocked: '! %s cannot be provisioned here (see the error below)',
};

/** Terraform-style human view of a plan: a block per device, a reason per change, then the `Plan:` line. */
export function renderPlan(plan: Plan, options: PlanViewOptions): string {
  const blocks = plan.devices.filter((d) => options.verbose || d.outcome !== 'unchanged').map((d) => renderDevice(d, options));
  return [...blocks, renderSummary(plan)].join('\n');
}

export function renderSummary(plan: Plan): string {
  const s = plan.summary;
  const pending = s.provision + s.update + s.remove + s.unreachable + s.failed + s.blocked;
  if (pending === 0) return 'No changes. Your devices match the inventory.\n';
  const failed = s.failed + s.blocked > 0 ? `, ${s.failed + s.blocked} failed` : '';
  return `Plan: ${s.provision} to provision, ${s.update} to update, ${s.remove} to remove, ${s.unchanged} unchanged, ${s.unreachable} unreachable${failed}.\n`;
}

function renderDevice(device: DevicePlan, options: PlanViewOptions): string {
  const lines = [HEADLINE[device.outcome].replace('%s', `${device.device} (${device.address})`)];
  if (device.error) {
    lines.push(`    error ${device.error.code}: ${device.error.message}`);
    if (device.error.hint) lines.push(`    hint: ${device.error.hint}`);
  }
  for (const change of device.changes) {
    if (change.action === 'noop' && !options.verbose) continue;
    const resource = describeResource(change.resource);
    // Reasons stand alone in --json ("file /x does not exist"); here the resource is already on the line.
    const reason = change.reason.startsWith(`${resource} `) ? change.reason.slice(resource.length + 1) : change.reason;
    lines.push(`    ${SYMBOL[change.action]} ${resource}${actionSuffix(change.action)}: ${reason}`);
    if (options.diff) lines.push(...renderTextDiff(change));
  }
  return `${lines.join('\n')}\n`;
}

function describeResource(resource: Resource): string {
  switch (resource.type) {
    case 'file': return `file ${resource.path}`;
    case 'service': return `service ${resource.unit}`;
    case 'token': return `token of ${resource.device}`;
    case 'receipt': return `receipt ${resource.path}`;
    case 'user': return `user ${resource.name}`;
    case 'host': return `requirement ${resource.requirement}`;
    case 'tls-key': return `TLS key of ${resource.device}`;
  }
}

function actionSuffix(action: Action): string {
  return action === 'restart' || action === 'enable' || action === 'start' ? ` (${action})` : '';
}

/** Secrets appear only as fingerprints, even in diffs: the config carries the token's hash, shortened. */
export function redactSecrets(text: string): string {
  return text.replace(/("token_sha256"\s*:\s*")([0-9a-f]{64})"/g, (_, head: string, hash: string) => `${head}${fingerprint(hash)}"`);
}

function renderTextDiff(change: Change): string[] {
  if (change.resource.type !== 'file' || change.after?.text === undefined) return [];
  const path = change.resource.path;
  const text = unifiedDiff(redactSecrets(change.before?.text ?? ''), redactSecrets(change.after.text), { from: change.before ? path : '/dev/null', to: path });
  return text === '' ? [] : text.trimEnd().split('\n').map((line) => `        ${line}`);
}
