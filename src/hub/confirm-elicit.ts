// Asking the human behind an MCP client through elicitation (spec 2025-11-25, form mode): the request
// goes on the tool call's own stream, and only an explicit `approve: true` lets the call through.
import type { ClientCapabilities, ElicitRequest, ElicitRequestFormParams, ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { ConfirmDecision, ConfirmPlan, Confirmer } from './confirm.js';

/** A human gets time to read the command; the client's own call timeout (or cancellation) may end it sooner. */
export const CONFIRM_TIMEOUT_MS = 5 * 60_000;

export interface ElicitingOptions {
  /** The client's name from initialize (undefined: the request had no session). */
  clientName: string | undefined;
  /** Capabilities the client declared at initialize (undefined: no initialize on this server). */
  capabilities: ClientCapabilities | undefined;
  /** Whether this call is answered as an SSE stream: an elicitation sent on a JSON answer is dropped. */
  streams: boolean;
  send: (request: ElicitRequest, timeoutMs: number) => Promise<ElicitResult>;
  timeoutMs?: number;
}

/**
 * A boolean the human must tick: a client that accepts forms without showing them (or fills defaults)
 * sends `approve: false`, which is a decline. Nothing in the tool's own arguments is ever consulted.
 */
export const APPROVAL_SCHEMA = {
  type: 'object',
  properties: {
    approve: { type: 'boolean', title: 'Approve', description: 'Run it on the device(s) named above', default: false },
  },
  required: ['approve'],
} as const;

/** Why this caller cannot be asked, or undefined when it can. */
export function whyCannotElicit(options: Pick<ElicitingOptions, 'clientName' | 'capabilities' | 'streams'>): string | undefined {
  if (!options.capabilities) return 'this request came without a session (POST /mcp/stateless has none), so the hub cannot ask the human behind it';
  if (!options.capabilities.elicitation) return `the client ${options.clientName ?? '(unnamed)'} did not declare the elicitation capability, so the hub cannot ask its user`;
  if (!options.streams) return 'this call was answered as plain JSON, where the hub cannot send the question (please report this hub bug)';
  return undefined;
}

/** The elicitation result read strictly: approved only on accept with `approve: true`. */
export function readElicitResult(result: ElicitResult, by: string): ConfirmDecision {
  if (result.action === 'accept' && result.content?.approve === true) return { decision: 'approved', by };
  if (result.action === 'accept') return { decision: 'declined', by, reason: 'accepted without ticking approve' };
  return { decision: 'declined', by, ...(result.action === 'cancel' ? { reason: 'dismissed' } : {}) };
}

export function createElicitingConfirmer(options: ElicitingOptions): Confirmer {
  const by = options.clientName ?? 'an unnamed client';
  return async (plan: ConfirmPlan) => {
    const cannot = whyCannotElicit(options);
    if (cannot) return { decision: 'refused', by, reason: cannot };
    const request: ElicitRequest = {
      method: 'elicitation/create',
      params: { message: `lanmcp hub: your AI agent asks to\n${plan.message}`, requestedSchema: APPROVAL_SCHEMA as unknown as ElicitRequestFormParams['requestedSchema'] },
    };
    try {
      return readElicitResult(await options.send(request, options.timeoutMs ?? CONFIRM_TIMEOUT_MS), by);
    } catch (error) {
      // No answer in time, the client hung up, or it answered with an error: not an approval.
      return { decision: 'declined', by, reason: `no answer: ${(error as Error).message}` };
    }
  };
}
