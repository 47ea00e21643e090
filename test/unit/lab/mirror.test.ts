import { describe, expect, it } from 'vitest';
import { parseSourceFile, pickDebianMirror } from '../../../src/lab/mirror.js';

// The files of this very machine kind (snapshot comments inside stanzas), plus the traps: nodesource,
// security, Ubuntu, disabled entries and one-line lists with [options].
const DEBIAN_SOURCES = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
`;
const NODESOURCE_LIST = 'deb [arch=amd64 signed-by=/usr/share/keyrings/nodesource.gpg] https://deb.nodesource.com/node_20.x nodistro main\n';

describe('pickDebianMirror', () => {
  it('picks the Debian archive out of a deb822 file whose stanzas carry comment lines', () => {
    expect(pickDebianMirror([{ path: '/etc/apt/sources.list.d/debian.sources', text: DEBIAN_SOURCES }])).toBe('http://deb.debian.org/debian');
  });

  it('never picks a third-party repository, even when it comes first', () => {
    const files = [
      { path: '/etc/apt/sources.list.d/nodesource.list', text: NODESOURCE_LIST },
      { path: '/etc/apt/sources.list', text: '# main mirror\ndeb [trusted=yes] http://ftp.de.debian.org/debian/ bookworm main contrib\n' },
    ];
    expect(pickDebianMirror(files)).toBe('http://ftp.de.debian.org/debian');
  });

  it('skips security-only, source-only and disabled entries', () => {
    const text = [
      'Types: deb-src', 'URIs: http://a.example/debian', 'Suites: bookworm', 'Components: main', '',
      'Types: deb', 'URIs: http://b.example/debian', 'Suites: bookworm', 'Components: main', 'Enabled: no', '',
      'Types: deb', 'URIs: http://security.debian.org/debian-security', 'Suites: bookworm-security', 'Components: main', '',
    ].join('\n');
    expect(pickDebianMirror([{ path: 'x.sources', text }])).toBeUndefined();
  });

  it('finds nothing on an Ubuntu host', () => {
    const text = 'deb http://archive.ubuntu.com/ubuntu noble main restricted\ndeb http://security.ubuntu.com/ubuntu noble-security main\n';
    expect(pickDebianMirror([{ path: '/etc/apt/sources.list', text }])).toBeUndefined();
  });

  it('reads continuation lines and several URIs of one stanza', () => {
    const text = 'Types: deb\nURIs: http://one.example/debian\n  http://two.example/debian\nSuites: trixie\nComponents: main\n';
    expect(parseSourceFile({ path: 'd.sources', text }).map((s) => s.uri)).toEqual(['http://one.example/debian', 'http://two.example/debian']);
  });
});
