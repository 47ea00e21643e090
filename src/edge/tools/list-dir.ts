import { describeFsError, failure, success, type EdgeTool } from './tool.js';

/** Entries beyond this are counted but not returned: a huge directory must not make a huge response. */
const MAX_ENTRIES = 5000;

/** list_dir: one directory's entries with type, size, mode and mtime. */
export const listDirTool: EdgeTool = {
  name: 'list_dir',
  title: 'List a directory',
  description:
    `List a directory on this device: each entry's name, type (file, dir, symlink, other), size, mode and mtime, sorted by name. ` +
    `At most ${MAX_ENTRIES} entries are returned (\`truncated\` says more exist).`,
  inputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string', minLength: 1, description: 'Absolute path of the directory.' },
      show_hidden: { type: 'boolean', default: true, description: 'Include names starting with a dot.' },
    },
    required: ['path'],
    additionalProperties: false,
  },
  outputSchema: {
    type: 'object',
    properties: {
      path: { type: 'string' },
      total: { type: 'integer' },
      truncated: { type: 'boolean' },
      entries: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' }, type: { type: 'string', enum: ['file', 'dir', 'symlink', 'other'] },
            size: { type: 'integer' }, mode: { type: 'string' }, mtime: { type: 'string' },
          },
          required: ['name', 'type', 'size', 'mode', 'mtime'],
        },
      },
    },
    required: ['path', 'total', 'truncated', 'entries'],
  },
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async call(args, { system }) {
    const path = args.path as string;
    let all;
    try {
      all = await system.listDir(path);
    } catch (error) {
      return failure(`list_dir ${path}: ${describeFsError(error)}`);
    }
    const visible = (args.show_hidden === false ? all.filter((e) => !e.name.startsWith('.')) : all)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const entries = visible.slice(0, MAX_ENTRIES);
    const lines = entries.map((e) => `${e.type === 'dir' ? 'd' : e.type === 'symlink' ? 'l' : e.type === 'file' ? '-' : '?'} ${e.mode} ${String(e.size).padStart(10)} ${e.mtime} ${e.name}`);
    const truncated = visible.length > entries.length;
    if (truncated) lines.push(`[${visible.length - entries.length} more entries not shown]`);
    const text = lines.length > 0 ? `${path}:\n${lines.join('\n')}` : `${path}: empty`;
    return success(text, { path, total: visible.length, truncated, entries }, { bytes: entries.length });
  },
};
