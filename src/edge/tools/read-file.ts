import { describeFsError, failure, success, type EdgeTool } from './tool.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text when the bytes are valid UTF-8, base64 otherwise: binary files survive the JSON round trip. */
export function encodeContent(data: Buffer): { encoding: 'utf8' | 'base64'; content: string } {
  try {
    return { encoding: 'utf8', content: utf8.decode(data) };
  } catch {
    return { encoding: 'base64', content: data.toString('base64') };
  }
}

/** read_file: a byte range of a file, capped at the policy's max_output_bytes. */
export const readFileTool: EdgeTool = {
  name: 'read_file',
  title: 'Read a file',
  description:
    'Read a file on this device. Returns UTF-8 text, or base64 when the bytes are not valid UTF-8. Reads at most the ' +
    'device\'s max_output_bytes per call; use offset and length to page through larger files (`truncated` says more remains).',
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'Absolute path of the file.' },
      offset: { type: 'integer', minimum: 0, description: 'First byte to read (default 0).' },
      length: { type: 'integer', minimum: 0, description: 'Bytes to read (default and maximum: the policy\'s max_output_bytes).' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string' },
      size: { type: 'integer', description: 'size of the whole file' },
      offset: { type: 'integer' },
      length: { type: 'integer', description: 'bytes returned' },
      encoding: { type: 'string', enum: ['utf8', 'base64'] },
      content: { type: 'string' },
      truncated: { type: 'boolean', description: 'bytes remain after this range' },
    },
    required: ['path', 'size', 'offset', 'length', 'encoding', 'content', 'truncated'],
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async call(args, { config, system }) {
    const path = args.path as string;
    const offset = (args.offset as number | undefined) ?? 0;
    const cap = config.policy.max_output_bytes;
    const length = Math.min((args.length as number | undefined) ?? cap, cap);
    let file: { size: number; data: Buffer };
    try {
      file = await system.readFile(path, offset, length);
    } catch (error) {
      return failure(`read_file ${path}: ${describeFsError(error)}`);
    }
    const { encoding, content } = encodeContent(file.data);
    const truncated = offset + file.data.length < file.size;
    const structured = { path, size: file.size, offset, length: file.data.length, encoding, content, truncated };
    const note = truncated ? `\n[${file.data.length} of ${file.size} bytes from offset ${offset}; more remains]` : '';
    const text = encoding === 'utf8' ? `${content}${note}` : `[binary, ${file.data.length} bytes as base64]\n${content}${note}`;
    return success(text, structured, { bytes: file.data.length });
  },
};
