// The gate between routing and forwarding: calls on devices whose policy says `confirm` wait for a
// human's answer; anything but an explicit approval ends the call here, with nothing sent to any device.
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { planConfirmation, type ConfirmDecision, type PlannedCall } from '../confirm.js';
import type { Device } from '../../inventory/types.js';
import { textResult, type CallContext } from './call-context.js';

/** What the audit line records about a confirmation. */
export interface ConfirmationRecord extends ConfirmDecision {
  devices: string[];
}

export interface GateOutcome {
  /** Set when a human was (or should have been) asked. */
  record?: ConfirmationRecord;
  /** Set when the call must not be forwarded: what the agent reads instead. */
  blocked?: CallToolResult;
}

/** Why a caller without a Confirmer cannot be asked (a hub session sets one; other embedders may not). */
const NO_CONFIRMER = 'this caller has no way to ask a human';

/** Asks when the calls need it; approved calls pass, the rest are answered with an isError result. */
export async function gateCalls(calls: readonly PlannedCall[], devices: readonly Device[], context: CallContext): Promise<GateOutcome> {
  const plan = planConfirmation(calls, devices);
  if (!plan) return {};
  const decision: ConfirmDecision = context.confirm
    ? await context.confirm(plan)
    : { decision: 'refused', by: 'unknown', reason: NO_CONFIRMER };
  const record = { ...decision, devices: plan.devices };
  if (decision.decision === 'approved') return { record };
  // Text only: structured content would have to match the edge tool's outputSchema (clients validate it).
  return { record, blocked: textResult(blockedText(decision, plan.devices), true) };
}

function blockedText(decision: ConfirmDecision, devices: string[]): string {
  const names = devices.join(', ');
  if (decision.decision === 'declined') {
    return `declined by the human on ${decision.by}: nothing was run${decision.reason ? ` (${decision.reason})` : ''}. ` +
      `Devices that needed approval: ${names}. Do not retry the same call unless the human asks for it.`;
  }
  return `refused: ${names} ${devices.length === 1 ? 'needs' : 'need'} a human's approval (inventory edge.policy.confirm) and ` +
    `${decision.reason ?? NO_CONFIRMER}. Nothing was run. Fix: use an MCP client that supports elicitation (asks its user), ` +
    `or set edge.policy.confirm: never for ${devices.length === 1 ? 'that device' : 'those devices'} in the inventory.`;
}
