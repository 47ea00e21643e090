/** One apt source file as read from /etc/apt: its path and text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** One `deb` entry, whichever of the two apt formats it came from. */
export interface AptSource {
  uri: string;
  suites: string[];
  components: string[];
  file: string;
}

/**
 * The Debian archive mirror apt on this machine already uses, or undefined when there is none (an Ubuntu
 * host, only third-party repositories). Picks the first enabled `deb` entry whose URI ends in `/debian`
 * and that carries a plain release suite with `main`, so `debian-security`, nodesource and PPAs never qualify.
 */
export function pickDebianMirror(files: readonly SourceFile[]): string | undefined {
  for (const source of files.flatMap(parseSourceFile)) {
    if (isDebianArchive(source)) return source.uri.replace(/\/+$/, '');
  }
  return undefined;
}

/** Every enabled `deb` entry of one file: deb822 (`*.sources`) or one-line (`*.list`, `sources.list`). */
export function parseSourceFile(file: SourceFile): AptSource[] {
  return file.path.endsWith('.sources') ? parseDeb822(file) : parseOneLine(file);
}

function isDebianArchive(source: AptSource): boolean {
  let url: URL;
  try {
    url = new URL(source.uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (!/\/debian\/?$/.test(url.pathname)) return false;
  const releaseSuite = source.suites.some((suite) => /^[a-z]+$/.test(suite));
  return releaseSuite && source.components.includes('main');
}

function parseDeb822(file: SourceFile): AptSource[] {
  // Comment lines are dropped, not blanked: a blank line would split the stanza around them.
  const text = file.text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
  const stanzas = text.split(/\n\s*\n/);
  return stanzas.flatMap((stanza) => {
    const fields = parseFields(stanza);
    const types = words(fields.get('types'));
    if (!types.includes('deb') || fields.get('enabled')?.trim().toLowerCase() === 'no') return [];
    const suites = words(fields.get('suites'));
    const components = words(fields.get('components'));
    return words(fields.get('uris')).map((uri) => ({ uri, suites, components, file: file.path }));
  });
}

function parseFields(stanza: string): Map<string, string> {
  const fields = new Map<string, string>();
  let current: string | undefined;
  for (const line of stanza.split('\n')) {
    const field = /^([A-Za-z][A-Za-z0-9-]*):(.*)$/.exec(line);
    if (field?.[1] !== undefined) {
      current = field[1].toLowerCase();
      fields.set(current, field[2] ?? '');
    } else if (current !== undefined && /^\s/.test(line)) {
      fields.set(current, `${fields.get(current)} ${line.trim()}`);
    }
  }
  return fields;
}

function parseOneLine(file: SourceFile): AptSource[] {
  return stripComments(file.text).split('\n').flatMap((raw) => {
    // `deb [arch=amd64 signed-by=...] URI suite component...`: options are dropped, they never hold the URI.
    const line = raw.replace(/\[[^\]]*\]/, ' ').trim();
    const [type, uri, suite, ...components] = line.split(/\s+/);
    if (type !== 'deb' || uri === undefined || suite === undefined) return [];
    return [{ uri, suites: [suite], components, file: file.path }];
  });
}

function stripComments(text: string): string {
  return text.split('\n').map((line) => line.replace(/#.*$/, '').trimEnd()).join('\n');
}

function words(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((word) => word !== '');
}
