import { fingerprint } from '../audit.js';
import { refuse } from '../policy.js';
import { decideWrite } from '../protected-paths.js';
import { describeFsError, failure, refusal, success, type EdgeTool } from './tool.js';

/** write_file: atomic (temp file + rename in the same directory), never into the edge's own files. */
export const writeFileTool: EdgeTool = {
  name: 'write_file',
  title: 'Write a file',
  description:
    'Write a whole file on this device atomically (a temp file in the same directory, then rename), so readers never see ' +
    'half a file. Content is UTF-8 text, or base64 with encoding "base64". Optional mode (octal string such as "0644") and ' +
    'create_dirs. Refused on read-only devices and for the edge\'s own files.',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, pattern: '^/', description: 'Absolute path of the file.' },
      content: { type: 'string', description: 'The new content.' },
      encoding: { type: 'string', enum: ['utf8', 'base64'], default: 'utf8', description: 'How content is encoded.' },
      mode: { type: 'string', pattern: '^0?[0-7]{3,4}$', description: 'Permission bits in octal, e.g. "0644" (default: kept, or 0644 for a new file).' },
      create_dirs: { type: 'boolean', default: false, description: 'Create missing parent directories.' },
    },
    required: ['path', 'content'],
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: { path: { type: 'string' }, bytes: { type: 'integer' }, sha256: { type: 'string' } },
    required: ['path', 'bytes', 'sha256'],
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  redact: (args) => ({ ...args, content: fingerprint(decode(args)) }),
  async call(args, { config, system }) {
    const path = args.path as string;
    if (config.policy.read_only) return refusal(refuse('policy.read_only', 'this device is read-only'));
    const decision = await decideWrite(system, path, config.protected_paths);
    if (!decision.allowed) return refusal(decision);
    const data = decode(args);
    const mode = typeof args.mode === 'string' ? parseInt(args.mode, 8) : undefined;
    try {
      await system.writeFileAtomic(path, data, { mode, createDirs: args.create_dirs === true });
    } catch (error) {
      return failure(`write_file ${path}: ${describeFsError(error)}`);
    }
    const { bytes, sha256 } = fingerprint(data);
    return success(`wrote ${bytes} bytes to ${path} (sha256 ${sha256})`, { path, bytes, sha256 }, { bytes });
  },
};

function decode(args: Record<string, unknown>): Buffer {
  return Buffer.from(String(args.content ?? ''), args.encoding === 'base64' ? 'base64' : 'utf8');
}
