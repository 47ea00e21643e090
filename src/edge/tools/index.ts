import type { ToolName } from '../config.js';
import { listDirTool } from './list-dir.js';
import { logsTool } from './logs.js';
import { readFileTool } from './read-file.js';
import { runCommandTool } from './run-command.js';
import { serviceTool } from './service.js';
import { systemInfoTool } from './system-info.js';
import type { EdgeTool } from './tool.js';
import { writeFileTool } from './write-file.js';

/** Every tool the edge knows, in the order tools/list shows them. */
export const ALL_TOOLS: readonly EdgeTool[] = [runCommandTool, readFileTool, writeFileTool, listDirTool, systemInfoTool, serviceTool, logsTool];

export function findTool(name: string): EdgeTool | undefined {
  return ALL_TOOLS.find((t) => t.name === name);
}

/** The tools/list entry of a tool, as MCP clients expect it. */
export function describeTool(tool: EdgeTool): Record<string, unknown> {
  return {
    name: tool.name, title: tool.title, description: tool.description, inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}), annotations: tool.annotations,
  };
}

export function isEnabled(enabled: readonly ToolName[], tool: EdgeTool): boolean {
  return enabled.includes(tool.name);
}
