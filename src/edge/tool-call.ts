import { renderAuditLine } from './audit.js';
import type { EdgeConfig } from './config.js';
import { INVALID_PARAMS, errorResponse, resultResponse, type JsonRpcNotification, type JsonRpcRequest, type JsonRpcResponse } from './json-rpc.js';
import { refuse } from './policy.js';
import { checkSchema } from './schema-check.js';
import type { System } from './system.js';
import { findTool, isEnabled } from './tools/index.js';
import { failure, refusal, type EdgeTool, type ToolOutcome } from './tools/tool.js';
import { boundForLog } from '../shared/log-bounds.js';

export interface CallDeps {
  config: EdgeConfig;
  system: System;
  /** Number of tool calls running now, shared across requests (policy.max_concurrent). */
  running: { count: number };
}

/**
 * tools/call: unknown tool → JSON-RPC error (the spec's protocol error); everything else — disabled tool,
 * bad arguments, policy refusals, failures — an isError result naming the reason, so the agent can adapt.
 * Every call, allowed or not, writes one audit line.
 */
export async function handleToolCall(
  request: JsonRpcRequest, deps: CallDeps, signal: AbortSignal, notify: (n: JsonRpcNotification) => void,
): Promise<JsonRpcResponse> {
  const params = request.params ?? {};
  const name = params.name;
  const tool = typeof name === 'string' ? findTool(name) : undefined;
  if (!tool) return errorResponse(request.id, INVALID_PARAMS, `Unknown tool: ${typeof name === 'string' ? name : '(name missing)'}`);
  const args = params.arguments ?? {};
  const started = deps.system.now();
  const outcome = await decideAndRun(tool, args, deps, signal, progressToken(params), notify);
  audit(deps, tool, args, outcome, Math.round(deps.system.now() - started));
  return resultResponse(request.id, outcome.result);
}

async function decideAndRun(
  tool: EdgeTool, args: unknown, deps: CallDeps, signal: AbortSignal, token: string | number | undefined, notify: (n: JsonRpcNotification) => void,
): Promise<ToolOutcome> {
  const { config, system, running } = deps;
  if (!isEnabled(config.policy.tools, tool)) return refusal(refuse('policy.tools', `the tool ${tool.name} is not enabled on this device`));
  const problems = checkSchema(tool.inputSchema, args);
  if (problems.length > 0) return failure(`invalid arguments for ${tool.name}: ${problems.join('; ')}`, { decision: 'refused', rule: 'input_schema' });
  if (running.count >= config.policy.max_concurrent) {
    return refusal(refuse('policy.max_concurrent', `${running.count} calls are already running (limit ${config.policy.max_concurrent}); retry when one finishes`));
  }
  running.count++;
  const ticker = token === undefined ? undefined : startProgress(token, config.progress_interval_ms, system, notify);
  try {
    return await tool.call(args as Record<string, unknown>, { config, system, signal });
  } catch (error) {
    return failure(`${tool.name}: internal error: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    running.count--;
    if (ticker) clearInterval(ticker);
  }
}

/** Progress every interval while a call runs: the SDK client resets its 60 s timeout on each one. */
function startProgress(token: string | number, intervalMs: number, system: System, notify: (n: JsonRpcNotification) => void) {
  const started = system.now();
  let tick = 0;
  return setInterval(() => {
    tick++;
    const seconds = Math.round((system.now() - started) / 1000);
    notify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token, progress: tick, message: `still running after ${seconds} s` } });
  }, intervalMs);
}

function progressToken(params: Record<string, unknown>): string | number | undefined {
  const meta = params._meta as Record<string, unknown> | undefined;
  const token = meta?.progressToken;
  return typeof token === 'string' || typeof token === 'number' ? token : undefined;
}

function audit(deps: CallDeps, tool: EdgeTool, args: unknown, outcome: ToolOutcome, durationMs: number): void {
  const first = outcome.result.content[0]?.text ?? '';
  const entry = (shown: Record<string, unknown>) => renderAuditLine({
    time: new Date().toISOString(), tool: tool.name, arguments: shown, ...outcome.audit, duration_ms: durationMs,
    ...(outcome.result.isError ? { message: first.slice(0, 500) } : {}),
  });
  let line: string;
  try {
    const plain = typeof args === 'object' && args !== null && !Array.isArray(args) ? (args as Record<string, unknown>) : { value: args };
    line = entry(boundForLog(tool.redact ? tool.redact(plain) : plain) as Record<string, unknown>);
  } catch {
    // Arguments nested too deeply to serialize (a stack overflow): the call is still audited, without them.
    line = entry({ unloggable: 'arguments too deeply nested to log' });
  }
  deps.system.log(line);
}
